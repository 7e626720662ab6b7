/**
 * Reliability, "concurrency": pushes that supersede each other, `/retest` while a build runs, duplicate and
 * out-of-order `workflow_job`/`workflow_run` deliveries (one replica and two replicas of the App on the same
 * GitHub), and a merge delivered twice or concurrently. GitHub is the one test world (test/helpers/world.ts) and
 * GitHub Actions runs the shipped workflows there (the stand-in Action pushing to a real loopback registry), with
 * build.yml's concurrency group cancelling a PR's running build when a newer one starts. The runs' deliveries are
 * recorded and delivered here in the orders each case needs: duplicated, reordered, concurrent, late. Every
 * assertion is on the final check runs and dispatches.
 */
import { beforeEach, describe, expect, test } from "vitest";
import { createFlibsApp, type FlibsAppFunction } from "../../src/app/index.js";
import type { Delivery, RunRecord } from "../helpers/actions/index.js";
import { createTestApp, type FakeCheckRun, type TestApp } from "../helpers/github.js";
import { useRegistry } from "../helpers/use-registry.js";
import { failOnUnhandledRejections } from "../helpers/unhandled.js";
import { runners, useWorld, type StandIn } from "../helpers/world.js";
import { record } from "./ledger.js";

const AREA = "concurrency";
const REPO = "my-org/hello";
const PR = 7;
const ARCHES = ["x86_64", "aarch64"] as const;
const DISPATCH = "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches";
const DOCKERFILE =
  'FROM registry.fedoraproject.org/fedora:41\nLABEL com.redhat.component="hello" name="hello" version="1" summary="hello" maintainer="me <me@example.com>"\nUSER 1001\n';
const FILES = { Dockerfile: DOCKERFILE, "container.yaml": "image: my-org/hello\n" };

const registry = useRegistry();
// Three runners of each kind, so that the runs of several cases go on at once.
const world = useWorld({ runners: runners(3) });
failOnUnhandledRejections();
let apps: TestApp[];

beforeEach(async () => {
  world.policy(`arches: [x86_64, aarch64]\nregistries:\n  candidate: ${registry.host}/candidates\n  stable: ${registry.host}/stable\n`);
  await world.repo(REPO, FILES);
  world.role("member", "write").role("maintainer", "maintain");
  await world.standIn({ push: true });
  apps = [];
});

/** A replica of the App: its own Probot, its own in-memory serialisation, the same GitHub. */
async function replica(): Promise<TestApp> {
  // Each delivery's response waits for its work (as createTestApp's App does), so `receive` resolves when it is done.
  const { app } = createFlibsApp({ deliveryBudgetMs: 60_000 });
  const a = await createTestApp({ appFn: app as FlibsAppFunction });
  apps.push(a);
  return a;
}

const synchronize = (pr = PR, repo = REPO) => world.pullEvent(pr, "synchronize", { sender: "member", repo });
const comment = (body: string) => world.commentEvent(PR, body, "member");
const deliver = (app: TestApp, d: Delivery, id = d.id) => app.receive(d.event, d.payload, id);
const checks = (sha: string, name?: string, repo = REPO) => world.checks(sha, name, repo);
const shown = (sha: string, name: string, repo = REPO): FakeCheckRun | undefined => world.shown(sha, name, repo);
const buildDispatches = () =>
  world.github
    .calls(DISPATCH)
    .filter((r) => r.params.workflow_id === "flibs.yml")
    .map((r) => (r.body as { inputs: Record<string, string> }).inputs);
const state = (c: FakeCheckRun | undefined) => (c ? `${c.status}/${c.conclusion ?? "-"}` : "absent");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const archEvents = (run: RunRecord, arch: string) =>
  world.deliveriesOf(run, { event: "workflow_job", job: new RegExp(`build \\(${arch}\\)`) });

/** Waits until `probe` holds (a run reached a state), polling. */
async function until(what: string, probe: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** The deliveries recorded from now on (a marker to take the later ones). */
const mark = () => world.actions.deliveries.length;
const since = (at: number, run?: RunRecord) =>
  world.actions.deliveries
    .slice(at)
    .filter((d) => !run || (d.event === "workflow_run" ? d.payload.workflow_run.id : d.payload.workflow_job.run_id) === run.id);

/** A PR head whose build runs with its arches held (building, not done) until the test lets them go. */
async function heldBuild(app: TestApp, feature: string, standIn: (sha: string) => StandIn = () => ({ push: true, hold: [...ARCHES] })) {
  const sha = await world.commit({ "feature.txt": `${feature}\n` }, { branch: `pr-${PR}` });
  world.pull({ number: PR, head: sha, author: "member" });
  await world.standIn(standIn(sha));
  await app.receive("pull_request", synchronize());
  const run = world.buildRun(`${sha}.1`);
  await until("both arches building", () =>
    ARCHES.every((a) => run.jobs.some((j) => j.name.includes(`build (${a})`) && j.status === "in_progress")),
  );
  return { sha, run };
}

/** Records a case's checks in the ledger: each one that held, and each one that did not. */
function recordHeld(what: string, checks: readonly boolean[]): void {
  record({ area: AREA, what, tried: checks.length, held: checks.filter(Boolean).length, lost: checks.filter((h) => !h).length });
}

/** The recorded `workflow_job.in_progress` of a run's arch job (its start). */
const startOf = (run: RunRecord, arch: string) => archEvents(run, arch).find((d) => d.action === "in_progress")!;

/**
 * Holds the first "Building" write of flibs/build at GitHub's door while `meanwhile` runs, then lets it through
 * (GitHub applies it after what happened meanwhile, as from a slow replica). Returns how many such writes came.
 */
function holdFirstBuildingWrite(meanwhile: () => Promise<void>): () => number {
  let writes = 0;
  world.github.on("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", async (req) => {
    const b = req.body as { status?: string; output?: { title?: string } };
    if (b.status !== "in_progress" || !b.output?.title?.startsWith("Building") || writes++) return undefined;
    await meanwhile();
    return undefined;
  });
  return () => writes;
}

function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

// ---- superseding pushes ------------------------------------------------------------------------------

describe("a newer push supersedes the older one", () => {
  const variants = ["a second apart, events in order", "a second apart, cancel events late and twice", "both pushes at once"] as const;
  test.each(variants)("%s: the older SHA's run cancelled and its checks closed, the newer built", async (variant) => {
    const app = await replica();
    const A = await world.commit({ "feature.txt": "A\n" }, { branch: `pr-${PR}` });
    const B = await world.commit({ "feature.txt": "B\n" }, { branch: `pr-${PR}` });
    // A's arch builds are still going when B is pushed.
    await world.standIn({ push: true, commits: { [A]: { hold: [...ARCHES] } } });
    let cancelled: Delivery[] = [];
    if (variant === "both pushes at once") {
      // Both deliveries arrive after B was pushed: the App reads the PR's head (B) with each, and builds B only.
      world.pull({ number: PR, head: B, author: "member" });
      const early = world.pullEvent(PR, "synchronize", { sender: "member", edit: (p) => (p.pull_request.head.sha = A) });
      await Promise.all([app.receive("pull_request", early), app.receive("pull_request", synchronize())]);
    } else {
      world.pull({ number: PR, head: A, author: "member" });
      await app.receive("pull_request", synchronize());
      const runA = world.buildRun(`${A}.1`);
      await until("A's arch jobs to run", () =>
        ARCHES.every((a) => runA.jobs.some((j) => j.name.includes(`build (${a})`) && j.status === "in_progress")),
      );
      const at = mark();
      await world.replay(since(0, runA), app);
      await sleep(1000);
      world.pushTo(PR, B);
      await app.receive("pull_request", synchronize());
      await runA.done;
      cancelled = since(at, runA);
    }
    const last = world.runs().at(-1)!;
    await last.done;
    await world.settled();
    const older = world.runs().filter((r) => r !== last);
    const mine = world.deliveriesOf(last);
    if (variant === "a second apart, cancel events late and twice") {
      for (const e of mine) await deliver(app, e);
      for (const e of [...cancelled, ...cancelled]) await deliver(app, e);
    } else {
      await Promise.all(cancelled.map((e) => deliver(app, e)));
      for (const e of mine) await deliver(app, e);
    }

    let tried = 0;
    let lost = 0;
    const expectState = (sha: string, name: string, want: string) => {
      tried++;
      const got = state(shown(sha, name));
      if (got !== want) lost++;
      expect.soft(got, `${name} on ${sha.slice(0, 6)}`).toBe(want);
    };
    // The PR's head is B: B is built, A (superseded) is cancelled and its checks are closed.
    expect(older.every((r) => r.conclusion === "cancelled")).toBe(true);
    if (variant === "both pushes at once") {
      // Before, the App could not see the PR's head and built A too, then GitHub cancelled it; it now sees B is
      // the head when A's delivery is handled, and never builds A.
      expectState(A, "flibs/build", "absent");
    } else {
      expectState(A, "flibs/build", "completed/cancelled");
      for (const a of ARCHES) if (checks(A, `flibs/build (${a})`).length) expectState(A, `flibs/build (${a})`, "completed/cancelled");
    }
    expectState(B, "flibs/build", "completed/success");
    for (const a of ARCHES) expectState(B, `flibs/build (${a})`, "completed/success");
    // One summary per build, one check per arch and attempt: nothing created twice.
    for (const sha of [A, B]) {
      const ids = checks(sha).map((c) => `${c.name} ${c.external_id}`);
      tried++;
      if (new Set(ids).size !== ids.length) lost++;
      expect.soft(ids.length, `checks on ${sha.slice(0, 6)}: ${ids.join(", ")}`).toBe(new Set(ids).size);
    }
    expect(buildDispatches().map((d) => d.sha)).toEqual(variant === "both pushes at once" ? [B] : [A, B]);
    record({ area: AREA, what: `two pushes, ${variant}: final check states`, tried, held: tried - lost, lost });
    expect(lost).toBe(0);
  });
});

// ---- /retest while a build runs ------------------------------------------------------------------------

describe("/retest during a running build", () => {
  const variants = [
    { body: "/retest aarch64", what: "/retest aarch64 while x86_64 still builds" },
    { body: "/retest", what: "/retest (the failed arch) while x86_64 still builds" },
  ];
  test.each(variants)(
    "$what: the retest rebuilds what has no tested digest yet, superseding the running build; flibs/build ends success with both arches",
    async ({ body }) => {
      const app = await replica();
      const sha = await world.commit({ "feature.txt": "retest\n" }, { branch: `pr-${PR}` });
      world.pull({ number: PR, head: sha, author: "member" });
      // Attempt 1: aarch64 fails at once, x86_64 still builds.
      await world.standIn({ push: true, builds: { [`${sha}.1`]: { hold: ["x86_64"], fail: ["aarch64"] } } });
      await app.receive("pull_request", synchronize());
      const first = world.buildRun(`${sha}.1`);
      await until(
        "aarch64 failed while x86_64 builds",
        () =>
          first.jobs.some((j) => j.name.includes("build (aarch64)") && j.status === "completed") &&
          first.jobs.some((j) => j.name.includes("build (x86_64)") && j.status === "in_progress"),
      );
      const at = mark();
      await world.replay(since(0, first), app);

      await app.receive("issue_comment", comment(body));
      expect(buildDispatches()).toHaveLength(2);
      const second = world.buildRun(`${sha}.2`);
      // Before: the retest built aarch64 only and waited for the running build, its index taking x86_64 from its
      // tag. x86_64 has no tested digest yet (attempt 1 never finished), so it is built again: the retest is a
      // whole build, which takes the PR's concurrency group and cancels the running one.
      expect(JSON.parse(buildDispatches()[1]!.arches!)).toEqual(["x86_64", "aarch64"]);
      expect(buildDispatches()[1]!.index_digests).toBeUndefined();
      await first.done;
      expect(first.conclusion).toBe("cancelled");
      await second.done;
      await world.settled();
      // The first run's last events and the retest's first ones arrive together.
      const rest = since(at, first);
      const mine = world.deliveriesOf(second);
      const starts = mine.filter((d) => d.action === "queued" || d.action === "requested");
      await Promise.all([...rest.map((e) => deliver(app, e)), ...starts.map((e) => deliver(app, e))]);
      for (const e of mine.filter((d) => !starts.includes(d))) await deliver(app, e);

      let tried = 0;
      let lost = 0;
      const want: Array<[string, string]> = [
        ["flibs/build", "completed/success"],
        ["flibs/build (x86_64)", "completed/success"],
        ["flibs/build (aarch64)", "completed/success"],
      ];
      for (const [name, s] of want) {
        tried++;
        const got = state(shown(sha, name));
        if (got !== s) lost++;
        expect.soft(got, name).toBe(s);
      }
      // The first attempt's summary closed too (cancelled: superseded), none left open.
      tried++;
      const open = checks(sha).filter((c) => c.status !== "completed");
      if (open.length) lost++;
      expect.soft(open.map((c) => c.name)).toEqual([]);
      record({ area: AREA, what: `${body} during a running build: final check states`, tried, held: tried - lost, lost });
      expect(lost).toBe(0);
    },
  );

  test("/retest while every arch still builds and none failed: nothing is cancelled, nothing dispatched", async () => {
    const app = await replica();
    const { sha, run: first } = await heldBuild(app, "still building");
    const at = mark();
    await world.replay(since(0, first), app);
    await app.receive("issue_comment", comment("/retest"));
    const held = [buildDispatches().length === 1, first.status !== "completed"];
    await world.standIn({ push: true });
    await first.done;
    await world.settled();
    await world.replay(since(at, first), app);
    held.push(state(shown(sha, "flibs/build")) === "completed/success");
    recordHeld("/retest with nothing failed during a build: no dispatch, build unharmed", held);
    expect(held).toEqual([true, true, true]);
  });

  test("/build during a running build supersedes it: the running run is cancelled, the new attempt builds every arch", async () => {
    const app = await replica();
    const { sha, run: first } = await heldBuild(app, "rebuild", (head) => ({
      push: true,
      builds: { [`${head}.1`]: { hold: [...ARCHES] } },
    }));
    const at = mark();
    await world.replay(since(0, first), app);
    await app.receive("issue_comment", comment("/build"));
    const second = world.buildRun(`${sha}.2`);
    await first.done;
    expect(first.conclusion).toBe("cancelled");
    await second.done;
    await world.settled();
    const cancelled = since(at, first);
    const mine = world.deliveriesOf(second);
    const starts = mine.filter((d) => d.action === "queued" || d.action === "requested");
    await Promise.all([...cancelled.map((e) => deliver(app, e)), ...starts.map((e) => deliver(app, e))]);
    for (const e of mine.filter((d) => !starts.includes(d))) await deliver(app, e);
    const got = [shown(sha, "flibs/build"), ...ARCHES.map((a) => shown(sha, `flibs/build (${a})`))].map(state);
    const open = checks(sha)
      .filter((c) => c.status !== "completed")
      .map((c) => c.name);
    const held = [...got.map((g) => g === "completed/success"), open.length === 0];
    recordHeld("/build during a build: superseded, new attempt final", held);
    expect(got).toEqual(["completed/success", "completed/success", "completed/success"]);
    expect(open).toEqual([]);
  });
});

// ---- duplicate and out-of-order workflow_job / workflow_run ----------------------------------------------

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

describe("duplicate and out-of-order job events: final check states", () => {
  const ORDERS = permutations(["queued", "in_progress", "completed"] as const);
  const MODES = [
    "in order of the permutation",
    "each delivered twice (same delivery id)",
    "all at once",
    "all at once, twice, the run's completion among them",
  ] as const;

  test.each(["one replica", "two replicas"] as const)(
    "%s: every order of queued / in_progress / completed, duplicated and concurrent",
    async (replicas) => {
      const a1 = await replica();
      const a2 = replicas === "two replicas" ? await replica() : a1;
      // One repository per case (copies of one repository, so the same PR head commit, as forks share SHAs), so that
      // every case has checks of its own and all their builds run at once; a case's aarch64 passes or fails as the
      // case says.
      const cases = ORDERS.flatMap((order) =>
        (["success", "failure"] as const).flatMap((conclusion) => MODES.map((mode) => ({ order, conclusion, mode }))),
      );
      const named = cases.map((c, i) => ({ ...c, n: i, repo: `my-org/case-${i}` }));
      await world.standIn({
        push: true,
        repos: Object.fromEntries(named.filter((c) => c.conclusion === "failure").map((c) => [c.repo, { fail: ["aarch64"] }])),
      });
      const head = await world.commit({ "feature.txt": "every order\n" }, { branch: `pr-${PR}` });
      const shas = new Map<string, string>();
      for (const c of named) {
        await world.copyRepo(REPO, c.repo);
        shas.set(c.repo, head);
        world.pull({ repo: c.repo, number: PR, head, author: "member" });
        await a1.receive("pull_request", synchronize(PR, c.repo));
      }
      await world.settled();
      let tried = 0;
      const lost: string[] = [];
      for (const { order, conclusion, mode, repo, n } of named) {
        const sha = shas.get(repo)!;
        const r = world.actions.runsOf(repo, "flibs.yml")[0]!;
        expect(r.conclusion, JSON.stringify(r.jobs.map((j) => [j.name, j.conclusion, j.annotations.map((a) => a.message)]))).toBe(
          conclusion,
        );
        // Each arch's events in this order; x86_64 passes, aarch64 ends with `conclusion`.
        const events: Array<{ e: Delivery; id: string }> = [];
        for (const arch of ARCHES) {
          const mine = archEvents(r, arch);
          for (const step of order)
            for (const e of mine.filter((d) => d.action === step)) events.push({ e, id: `${repo}-${arch}-${step}` });
        }
        const finished = { e: world.deliveriesOf(r, { event: "workflow_run", action: "completed" })[0]!, id: `${repo}-run` };
        const to = (i: number) => (i % 2 === 0 ? a1 : a2);
        if (mode === "in order of the permutation") {
          for (const [i, x] of events.entries()) await deliver(to(i), x.e, x.id);
          await deliver(a1, finished.e, finished.id);
        } else if (mode === "each delivered twice (same delivery id)") {
          for (const [i, x] of events.entries()) {
            await deliver(to(i), x.e, x.id);
            await deliver(to(i + 1), x.e, x.id);
          }
          await deliver(a1, finished.e, finished.id);
          await deliver(a2, finished.e, finished.id);
        } else if (mode === "all at once") {
          await Promise.all(events.map((x, i) => deliver(to(i), x.e, x.id)));
          await deliver(a1, finished.e, finished.id);
        } else {
          const all = shuffled([...events, ...events, finished], n);
          await Promise.all(all.map((x, i) => deliver(to(i), x.e, x.id)));
          // The run's completion may have come before the last job event: GitHub's next delivery (or a replica's retry) closes it.
          await deliver(a2, finished.e, finished.id);
        }
        const want: Record<string, string> = {
          "flibs/build (x86_64)": "completed/success",
          "flibs/build (aarch64)": `completed/${conclusion}`,
          "flibs/build": `completed/${conclusion}`,
        };
        tried++;
        const wrong = Object.entries(want).filter(([name, s]) => state(shown(sha, name, repo)) !== s);
        // Every check run that exists is final: no stray duplicate left queued or in progress.
        const open = checks(sha, undefined, repo).filter((c) => c.status !== "completed" && c.name.startsWith("flibs/build"));
        if (wrong.length || open.length) {
          lost.push(
            `${order.join(">")} ${conclusion} ${mode}: ${wrong.map(([name]) => `${name} is ${state(shown(sha, name, repo))}`).join(", ")}${open.length ? ` open: ${open.map((c) => c.name).join(", ")}` : ""}`,
          );
        }
      }
      record({
        area: AREA,
        what: `workflow_job orders x duplicates x concurrency (${replicas})`,
        tried,
        held: tried - lost.length,
        lost: lost.length,
      });
      expect(tried).toBe(ORDERS.length * 2 * MODES.length);
      expect(lost).toEqual([]);
    },
    600_000,
  );
});

describe("flibs/build moved to building by one replica while another closes it", () => {
  test("the start's write lands after the other replica's close: the writer reads the run again and closes it", async () => {
    const [a1, a2] = [await replica(), await replica()];
    const { sha, run } = await heldBuild(a1, "building late");
    // a1's "Building" write waits at GitHub's door until the run completed and a2 closed flibs/build with every
    // event of the run (GitHub then applies the write it received last, as it would from a slow replica).
    let closedBeforeTheWrite = "";
    const held = holdFirstBuildingWrite(async () => {
      await world.standIn({ push: true });
      await run.done;
      await until(
        "the run's completion recorded",
        () => world.deliveriesOf(run, { event: "workflow_run", action: "completed" }).length > 0,
      );
      for (const d of world.deliveriesOf(run)) await deliver(a2, d);
      closedBeforeTheWrite = state(shown(sha, "flibs/build"));
    });
    await deliver(a1, startOf(run, "x86_64"));
    const held1 = [held() === 1, closedBeforeTheWrite === "completed/success", state(shown(sha, "flibs/build")) === "completed/success"];
    // Late copies of every start to both replicas afterwards: the run is completed, so neither writes "building".
    await Promise.all(
      ARCHES.flatMap((a) =>
        archEvents(run, a)
          .filter((d) => d.action === "in_progress")
          .flatMap((d) => [a1, a2].map((x) => deliver(x, d))),
      ),
    );
    held1.push(held() === 1, state(shown(sha, "flibs/build")) === "completed/success", checks(sha, "flibs/build").length === 1);
    recordHeld("flibs/build building written after another replica's close: closed again", held1);
    expect(held1).toEqual([true, true, true, true, true, true]);
    expect(shown(sha, "flibs/build")!.title).not.toMatch(/^Building/);
  });

  test("the run ends while a replica writes 'Building': it closes the build from the run's jobs, ahead of their own events", async () => {
    const a1 = await replica();
    const { sha, run } = await heldBuild(a1, "quick run", () => ({ push: true, hold: [...ARCHES], fail: ["aarch64"] }));
    const held = holdFirstBuildingWrite(async () => {
      await world.standIn({ push: true, fail: ["aarch64"] });
      await run.done;
    });
    // Only x86_64's start reaches the App before it closes: every other event of the run comes after.
    await deliver(a1, startOf(run, "x86_64"));
    const early = shown(sha, "flibs/build");
    const got = [held() === 1, state(early) === "completed/failure", /^Failed on aarch64 in “.+”$/.test(early?.title ?? "")];
    await world.settled();
    for (const d of world.deliveriesOf(run)) await deliver(a1, d);
    got.push(state(shown(sha, "flibs/build")) === "completed/failure", shown(sha, "flibs/build")?.title === early?.title);
    got.push(
      ...ARCHES.map((a) => state(shown(sha, `flibs/build (${a})`)) === (a === "aarch64" ? "completed/failure" : "completed/success")),
    );
    recordHeld("run ended while building was written: closed from the run's jobs", got);
    expect(got).toEqual([true, true, true, true, true, true, true]);
  });

  test("a job's start handled by another replica before the dispatching replica recorded the run id: the id stays", async () => {
    const [a1, a2] = [await replica(), await replica()];
    const sha = await world.commit({ "feature.txt": "building early\n" }, { branch: `pr-${PR}` });
    world.pull({ number: PR, head: sha, author: "member" });
    await world.standIn({ push: true, hold: [...ARCHES] });
    // a1's record of the run id waits at GitHub's door until a2 read flibs/build (no id yet) for an arch's start;
    // then a2's "Building" write waits until a1's record landed, and lands after it with what a2 read.
    const recorded = (c: FakeCheckRun | undefined) => /"run":\d+/.test(c?.summary ?? "");
    let a2Writes = false;
    let a2Work: Promise<unknown> | undefined;
    world.github.on("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", async (req) => {
      const b = req.body as { status?: string; output?: { title?: string; summary?: string } };
      if (b.status === "queued" && /"run":\d+/.test(b.output?.summary ?? "") && !a2Work) {
        const run = world.buildRun(`${sha}.1`);
        await until("x86_64 started", () => archEvents(run, "x86_64").some((d) => d.action === "in_progress"));
        a2Work = deliver(a2, startOf(run, "x86_64"));
        await until("a2's building write at the door", () => a2Writes);
      } else if (b.output?.title?.startsWith("Building") && !a2Writes) {
        a2Writes = true;
        await until("a1's record landed", () => recorded(shown(sha, "flibs/build")));
      }
      return undefined;
    });
    await a1.receive("pull_request", synchronize());
    await a2Work;
    const run = world.buildRun(`${sha}.1`);
    const held = [a2Writes, shown(sha, "flibs/build")?.summary?.includes(`"run":${run.id}`) === true];
    held.push(state(shown(sha, "flibs/build")) === "in_progress/-", shown(sha, "flibs/build")?.title === "Building x86_64, aarch64");
    await world.standIn({ push: true });
    await run.done;
    await world.settled();
    for (const d of world.deliveriesOf(run)) await deliver(a1, d);
    held.push(state(shown(sha, "flibs/build")) === "completed/success");
    recordHeld("flibs/build building written before the run id was recorded: id kept", held);
    expect(held).toEqual([true, true, true, true, true]);
  });
});

// ---- a merge delivered twice / concurrently: one promotion ---------------------------------------------

describe("a merge to the default branch promotes once", () => {
  /** The PR head built and passed (through the App, its run's events delivered as they happen), then merged with the same tree. */
  async function builtAndMerged(app: TestApp, n: number): Promise<{ merge: string; push: object }> {
    const pr = 100 + n;
    const head = await world.commit({ [`feature-${n}.txt`]: `${n}\n` }, { branch: `pr-${pr}` });
    world.pull({ number: pr, head, author: "member" });
    world.deliverTo(app);
    await app.receive("pull_request", synchronize(pr));
    await world.settled();
    world.deliverTo(undefined);
    expect(state(shown(head, "flibs/build"))).toBe("completed/success");
    const merge = await world.commit({ [`feature-${n}.txt`]: `${n}\n` }, { message: `Merge pull request #${pr}` });
    expect(await world.tree(merge)).toBe(await world.tree(head));
    world.merge(pr, merge);
    return { merge, push: await world.pushEvent("refs/heads/main", merge) };
  }

  const cases = [
    { what: "the same delivery twice, one after the other", replicas: 1, concurrent: false, sameId: true },
    { what: "the same delivery three times at once", replicas: 1, concurrent: true, sameId: true },
    { what: "redelivered (new delivery id) at once", replicas: 1, concurrent: true, sameId: false },
    { what: "redelivered to another replica later", replicas: 2, concurrent: false, sameId: false },
  ];
  test.each(cases)(
    "$what -> exactly one promotion dispatch",
    async ({ what, replicas, concurrent, sameId }) => {
      const a1 = await replica();
      const a2 = replicas === 2 ? await replica() : a1;
      const promotions = () =>
        world.github
          .calls(DISPATCH)
          .filter((r) => r.params.workflow_id === "flibs-promote.yml")
          .map((r) => (r.body as { inputs: Record<string, string> }).inputs);
      let tried = 0;
      let lost = 0;
      for (const n of [1, 2, 3]) {
        const { merge, push } = await builtAndMerged(a1, n);
        const ids = [`push-${n}`, sameId ? `push-${n}` : `push-${n}-again`, sameId ? `push-${n}` : `push-${n}-third`];
        if (concurrent) await Promise.all(ids.map((id, i) => (i % 2 ? a2 : a1).receive("push", push, id)));
        else for (const [i, id] of ids.entries()) await (i % 2 ? a2 : a1).receive("push", push, id);
        const promoted = promotions().filter((p) => p.sha === merge);
        tried++;
        if (promoted.length !== 1) lost++;
        expect.soft(promoted.length, `promotion dispatches for merge ${n}`).toBe(1);
        expect.soft(checks(merge, "flibs/promote (main)").map(state)).toEqual(["in_progress/-"]);
      }
      record({ area: AREA, what: `merge push ${what}: one promotion`, tried, held: tried - lost, lost });
      expect(lost).toBe(0);
    },
    300_000,
  );
});
