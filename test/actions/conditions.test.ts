import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { useFakeGitHub } from "../helpers/github.js";
import { actionsFixture, FakeActions } from "../helpers/actions/index.js";

const github = useFakeGitHub();
let actions: FakeActions | undefined;
let dir: string | undefined;
afterEach(async () => {
  await actions?.cleanup();
  actions = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function start(failFast: boolean): Promise<FakeActions> {
  dir = await mkdtemp(join(tmpdir(), "conditions-"));
  const env = { DONE_FILE: join(dir, "done") };
  const a = new FakeActions(github, {
    runners: [
      { name: "control", labels: ["self-hosted", "linux"], env },
      { name: "control-2", labels: ["self-hosted", "linux"], env },
      { name: "leg-fails", labels: ["self-hosted", "linux", "fails"], env },
      { name: "leg-slow", labels: ["self-hosted", "linux", "slow"], env },
    ],
  });
  await a.repos.create("my-org/app", { ".github/workflows/conditions.yml": actionsFixture("conditions/conditions.yml") });
  await a.dispatch("my-org/app", "conditions.yml", { ref: "main", inputs: { fail_fast: String(failFast) } });
  await a.idle();
  return a;
}

const byName = (a: FakeActions, name: string) => a.runs[0]!.jobs.find((j) => j.name === name)!;

describe("status functions", () => {
  it("skip what needs a failed job unless if: says failure() or always(), and steps likewise", async () => {
    actions = await start(false);
    const broken = byName(actions, "broken");
    expect(broken.conclusion).toBe("failure");
    expect(broken.steps.map((s) => [s.name, s.conclusion])).toEqual([
      ["Set up job", "success"],
      ['Run echo "::error file=src/app.c,line=3,col=5,title=Broken::it broke"; exit 3', "failure"],
      ['Run echo "cleanup after failure"', "success"],
      ['Run echo "never printed"', "skipped"],
      ['Run echo "always printed"', "success"],
      ["Complete job", "success"],
    ]);
    expect(broken.annotations).toEqual([
      expect.objectContaining({
        path: "src/app.c",
        start_line: 3,
        start_column: 5,
        annotation_level: "failure",
        title: "Broken",
        message: "it broke",
      }),
      expect.objectContaining({ path: ".github", annotation_level: "failure", message: "Process completed with exit code 3." }),
    ]);
    expect(byName(actions, "after-success").conclusion).toBe("skipped");
    // failure() looks at every ancestor: broken failed two levels up.
    expect(byName(actions, "after-failure").conclusion).toBe("success");
    const always = byName(actions, "after-always");
    expect(always.conclusion).toBe("success");
    expect(always.steps[1]!.log).toContain("broken was failure");
    expect(actions.runs[0]!.conclusion).toBe("failure");
  });

  it("serves a job's annotations through its check run, as GitHub exposes them", async () => {
    actions = await start(false);
    const broken = byName(actions, "broken");
    const r = await fetch(`https://api.github.com/repos/my-org/app/check-runs/${broken.id}/annotations`);
    const body = (await r.json()) as Array<{ message: string; blob_href: string }>;
    expect(body.map((a) => a.message)).toEqual(["it broke", "Process completed with exit code 3."]);
    expect(body[0]!.blob_href).toBe(`https://github.com/my-org/app/blob/${actions.runs[0]!.head_sha}/src/app.c`);
  });
});

describe("fail-fast", () => {
  it("true: a failing leg cancels the other legs (their processes are ended)", async () => {
    actions = await start(true);
    expect(byName(actions, "legs (fails)").conclusion).toBe("failure");
    const slow = byName(actions, "legs (slow)");
    expect(slow.conclusion).toBe("cancelled");
    expect(slow.steps.map((s) => s.log).join("")).not.toContain("slow leg finished");
  });

  it("false: the other legs run to their end; the run fails because one leg did", async () => {
    actions = await start(false);
    expect(byName(actions, "legs (fails)").conclusion).toBe("failure");
    const slow = byName(actions, "legs (slow)");
    expect(slow.conclusion).toBe("success");
    expect(slow.steps.map((s) => s.log).join("")).toContain("slow leg finished");
    expect(actions.runs[0]!.conclusion).toBe("failure");
  });
});
