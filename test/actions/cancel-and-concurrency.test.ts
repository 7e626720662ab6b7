import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { useFakeGitHub } from "../helpers/github.js";
import { actionsFixture, FakeActions, type RunRecord } from "../helpers/actions/index.js";

const github = useFakeGitHub();
let actions: FakeActions | undefined;
let dir: string | undefined;
afterEach(async () => {
  await actions?.cleanup();
  actions = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Resolves when `check` holds, re-checked on every delivery (no fixed sleeps). */
async function until(a: FakeActions, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Running (a killed process left unreaped by a container's init is a zombie: not running). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

describe("cancel", () => {
  it("kills the running step's whole process tree; the run and its job end cancelled; always() steps still run", async () => {
    dir = await mkdtemp(join(tmpdir(), "cancel-"));
    const pidFile = join(dir, "pids");
    actions = new FakeActions(github, { runners: [{ name: "r", labels: ["self-hosted", "linux"], env: { PID_FILE: pidFile } }] });
    await actions.repos.create("my-org/app", { ".github/workflows/sleep.yml": actionsFixture("cancel/sleep.yml") });
    await actions.dispatch("my-org/app", "sleep.yml", { ref: "main" });
    await until(actions, () => existsSync(pidFile) && readFileSync(pidFile, "utf8").trim().split("\n").length === 2);
    const pids = readFileSync(pidFile, "utf8").trim().split("\n").map(Number);
    expect(pids.every(alive)).toBe(true);
    const run = actions.runs[0]!;
    const r = await fetch(`https://api.github.com/repos/my-org/app/actions/runs/${run.id}/cancel`, { method: "POST" });
    expect(r.status).toBe(202);
    await actions.idle();
    expect(pids.filter(alive)).toEqual([]);
    expect(run.conclusion).toBe("cancelled");
    const job = run.jobs[0]!;
    expect(job.conclusion).toBe("cancelled");
    expect(job.steps.map((s) => [s.name, s.conclusion])).toEqual([
      ["Set up job", "success"],
      [expect.stringMatching(/^Run echo \$\$/), "cancelled"],
      ['Run echo "cleanup ran"', "success"],
      ["Complete job", "success"],
    ]);
    const again = await fetch(`https://api.github.com/repos/my-org/app/actions/runs/${run.id}/cancel`, { method: "POST" });
    expect(again.status).toBe(409);
  });

  it("a job whose runs-on no runner has stays queued until cancelled", async () => {
    actions = new FakeActions(github, { runners: [{ name: "r", labels: ["self-hosted", "windows"] }] });
    await actions.repos.create("my-org/app", { ".github/workflows/sleep.yml": actionsFixture("cancel/sleep.yml") });
    await actions.dispatch("my-org/app", "sleep.yml", { ref: "main" });
    await until(actions, () => actions!.sent("workflow_job", "queued").length === 1);
    const run = actions.runs[0]!;
    expect(run.jobs[0]!.status).toBe("queued");
    expect(run.status).toBe("queued");
    actions.cancel(run.id);
    await actions.idle();
    expect(run.jobs[0]!.conclusion).toBe("cancelled");
    expect(actions.sent("workflow_job").map((d) => d.action)).toEqual(["queued", "completed"]);
  });
});

describe("timeout-minutes", () => {
  it("ends the job cancelled, its step's processes killed, with GitHub's annotation", async () => {
    dir = await mkdtemp(join(tmpdir(), "timeout-"));
    const pidFile = join(dir, "pids");
    // One "minute" lasts 300 ms here; the workflow says 10.
    actions = new FakeActions(github, {
      runners: [{ name: "slow-runner", labels: ["self-hosted", "linux"], env: { PID_FILE: pidFile } }],
      minuteMs: 30,
    });
    await actions.repos.create("my-org/app", { ".github/workflows/sleep.yml": actionsFixture("cancel/sleep.yml") });
    await actions.dispatch("my-org/app", "sleep.yml", { ref: "main" });
    await actions.idle();
    const job = actions.runs[0]!.jobs[0]!;
    expect(job.conclusion).toBe("cancelled");
    expect(job.annotations.map((a) => a.message)).toContain(
      "The job running on runner slow-runner has exceeded the maximum execution time of 10 minutes.",
    );
    expect(readFileSync(pidFile, "utf8").trim().split("\n").map(Number).filter(alive)).toEqual([]);
  });
});

describe("concurrency", () => {
  async function grouped(): Promise<{ a: FakeActions; trace: () => string; release: () => Promise<void> }> {
    dir = await mkdtemp(join(tmpdir(), "concurrency-"));
    const traceFile = join(dir, "trace");
    const releaseFile = join(dir, "release");
    await writeFile(traceFile, "");
    const a = new FakeActions(github, {
      runners: [1, 2, 3].map((n) => ({
        name: `r${n}`,
        labels: ["self-hosted", "linux"],
        env: { TRACE_FILE: traceFile, RELEASE_FILE: releaseFile },
      })),
    });
    await a.repos.create("my-org/app", { ".github/workflows/grouped.yml": actionsFixture("concurrency/grouped.yml") });
    return { a, trace: () => readFileSync(traceFile, "utf8"), release: () => writeFile(releaseFile, "") };
  }

  it("cancel-in-progress: a newer run of the group cancels the running one", async () => {
    const g = await grouped();
    actions = g.a;
    await actions.dispatch("my-org/app", "grouped.yml", { ref: "main", inputs: { n: "1" } });
    await until(actions, () => g.trace().includes("started 1"));
    await actions.dispatch("my-org/app", "grouped.yml", { ref: "main", inputs: { n: "2" } });
    await actions.idle();
    const [first, second] = actions.runs as [RunRecord, RunRecord];
    expect(first.conclusion).toBe("cancelled");
    expect(first.notes).toContain("Canceling since a higher priority waiting request for 'grouped-my-org/app' exists");
    expect(second.conclusion).toBe("success");
    expect(g.trace()).toBe("started 1\nstarted 2\nfinished 2\n");
  });

  it("without it, the newer run waits (pending) for the running one, and a third replaces the pending second", async () => {
    const g = await grouped();
    actions = g.a;
    await actions.dispatch("my-org/app", "grouped.yml", { ref: "main", inputs: { n: "1", cancel: "false" } });
    await until(actions, () => g.trace().includes("started 1"));
    await actions.dispatch("my-org/app", "grouped.yml", { ref: "main", inputs: { n: "2", cancel: "false" } });
    await until(actions, () => actions!.runs[1]!.status === "pending");
    await actions.dispatch("my-org/app", "grouped.yml", { ref: "main", inputs: { n: "3", cancel: "false" } });
    await until(actions, () => actions!.runs[1]!.status === "completed");
    await g.release();
    await actions.idle();
    expect(actions.runs.map((r) => r.conclusion)).toEqual(["success", "cancelled", "success"]);
    expect(g.trace()).toBe("started 1\nfinished 1\nstarted 3\nfinished 3\n");
  });

  it("a reusable workflow's own concurrency: a newer call cancels the run holding the group", async () => {
    const g = await grouped();
    actions = g.a;
    await actions.repos.commit("my-org/app", {
      ".github/workflows/caller.yml": actionsFixture("concurrency/caller.yml"),
      ".github/workflows/called.yml": actionsFixture("concurrency/called.yml"),
    });
    await actions.dispatch("my-org/app", "caller.yml", { ref: "main", inputs: { n: "1" } });
    await until(actions, () => g.trace().includes("started 1"));
    await actions.dispatch("my-org/app", "caller.yml", { ref: "main", inputs: { n: "2" } });
    await actions.idle();
    const [first, second] = actions.runs as [RunRecord, RunRecord];
    expect(first.conclusion).toBe("cancelled");
    expect(first.jobs.map((j) => [j.name, j.conclusion])).toEqual([["call / work", "cancelled"]]);
    expect(first.notes).toContain("Canceling since a higher priority waiting request for 'called-my-org/app' exists");
    expect(second.conclusion).toBe("success");
    expect(g.trace()).toBe("started 1\nstarted 2\nfinished 2\n");
  });

  it("a run asking for a group it already holds is cancelled as a deadlock", async () => {
    const g = await grouped();
    actions = g.a;
    await actions.repos.commit("my-org/app", {
      ".github/workflows/deadlock.yml": actionsFixture("concurrency/deadlock.yml"),
      ".github/workflows/called.yml": actionsFixture("concurrency/called.yml"),
    });
    await actions.dispatch("my-org/app", "deadlock.yml", { ref: "main" });
    await actions.idle();
    const run = actions.runs[0]!;
    expect(run.conclusion).toBe("cancelled");
    expect(run.notes).toContain(
      "Canceling since a deadlock for concurrency group 'called-my-org/app' was detected between 'top level workflow' and 'call'",
    );
    expect(g.trace()).toBe("");
  });
});
