/**
 * Reliability, "concurrency": pushes that supersede each other, `/retest` while a build runs, duplicate and
 * out-of-order `workflow_job`/`workflow_run` deliveries (one replica and two replicas of the App on the same
 * GitHub), and a merge delivered twice or concurrently. GitHub is the fake of test/helpers/github.ts; GitHub
 * Actions is simulated here as GitHub runs the caller workflow: one run per dispatch, named by its build id,
 * and in the reusable workflow's concurrency group (`flibs-build-<repo>-pr-<N>`, cancel-in-progress) a new run
 * cancels the running one of the same PR. Every assertion is on the fake's final check runs and dispatches.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { createFlibsApp, type FlibsAppFunction } from "../../src/app/index.js";
import type { RegistryAccess } from "../../src/app/report.js";
import type { RegistryClient } from "../../src/registry/index.js";
import { createTestApp, examplePayload, notFound, useFakeGitHub, type FakeCheckRun, type TestApp } from "../helpers/github.js";
import { record } from "./ledger.js";

const AREA = "concurrency";
const REPO = "my-org/hello";
const INSTALLATION = 42;
const PR = 7;
const ARCHES = ["x86_64", "aarch64"] as const;
type Arch = (typeof ARCHES)[number];
const PLATFORM: Record<Arch, string> = { x86_64: "amd64", aarch64: "arm64" };
const DISPATCH = "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches";
const POLICY = "arches: [x86_64, aarch64]\nregistries:\n  candidate: registry.example.com/candidates\n  stable: registry.example.com/stable\n";
const DOCKERFILE = 'FROM registry.fedoraproject.org/fedora:41\nLABEL com.redhat.component="hello" name="hello" version="1" summary="hello" maintainer="me <me@example.com>"\nUSER 1001\n';

const hex = (n: number, fill: string) => n.toString(16).padStart(6, "0").padEnd(40, fill);

// ---- GitHub Actions, simulated ------------------------------------------------------------------------

type JobState = "queued" | "in_progress" | "completed";
interface Run {
  id: number;
  buildId: string;
  sha: string;
  group: string;
  arches: Arch[];
  /** The arches the run's index holds (a retest takes the others from the earlier attempt's images). */
  indexArches: Arch[];
  status: "pending" | "queued" | "in_progress" | "completed";
  conclusion?: string;
  jobs: Map<Arch, { state: JobState; conclusion?: string }>;
}

/**
 * What GitHub Actions does with the App's dispatches, as build.yml's concurrency group says: a full build
 * (no `index_arches`) cancels the group's running and pending runs (cancel-in-progress); a retest of some arches
 * (`index_arches` set) waits, pending, for the running one. GitHub keeps one pending run per group: a newer
 * pending run cancels an older pending one. Cancellation events are queued in `pending` for the test to deliver
 * in whatever order it wants. Jobs that succeed push their arch's image; a run whose jobs all passed publishes
 * the index of `index_arches` (or its own arches) when every one of them has an image.
 */
class Actions {
  runs: Run[] = [];
  pending: Array<{ name: string; payload: object }> = [];
  /** sha -> arch -> manifest digest (what the build jobs pushed). */
  images = new Map<string, Map<Arch, string>>();
  /** sha -> index digest (what the publish job pushed). */
  indexes = new Map<string, { digest: string; arches: Arch[] }>();
  promotions: Array<{ sha: string; inputs: Record<string, string> }> = [];
  private nextRun = 500;

  dispatch(workflow: string, inputs: Record<string, string>): void {
    if (workflow !== "flibs.yml") {
      this.promotions.push({ sha: inputs.sha ?? "", inputs });
      return;
    }
    const group = inputs.pr ? `pr-${inputs.pr}` : inputs.sha!;
    const retest = Boolean(inputs.index_arches);
    const others = this.runs.filter((x) => x.group === group && x.status !== "completed");
    for (const r of others) if (!retest || r.status === "pending") this.cancel(r);
    const arches = JSON.parse(inputs.arches!) as Arch[];
    const indexArches = inputs.index_arches ? (JSON.parse(inputs.index_arches) as Arch[]) : arches;
    const running = others.some((r) => r.status !== "pending" && r.status !== "completed");
    this.runs.push({ id: this.nextRun++, buildId: inputs.build_id!, sha: inputs.sha!, group, arches, indexArches, status: running ? "pending" : "queued", jobs: new Map(arches.map((a) => [a, { state: "queued" as JobState }])) });
  }

  run(buildId: string): Run {
    const r = this.runs.find((x) => x.buildId === buildId);
    if (!r) throw new Error(`no run for ${buildId}; runs: ${this.runs.map((x) => x.buildId).join(", ")}`);
    return r;
  }

  /** The events of a job moving to `to` (GitHub sends queued, in_progress, completed). */
  job(r: Run, arch: Arch, to: JobState, conclusion?: "success" | "failure"): { name: string; payload: object } {
    const j = r.jobs.get(arch)!;
    j.state = to;
    if (to === "completed") {
      j.conclusion = conclusion;
      if (conclusion === "success") {
        const images = this.images.get(r.sha) ?? new Map<Arch, string>();
        images.set(arch, `sha256:${hex(r.id, arch === "x86_64" ? "a" : "b").padEnd(64, "0")}`);
        this.images.set(r.sha, images);
      }
    }
    if (to !== "queued" && r.status === "queued") r.status = "in_progress";
    return jobEvent(r, arch, to, to === "completed" ? conclusion! : null);
  }

  /** The run finished: the publish job assembles the index (when every job passed), then workflow_run.completed. */
  finish(r: Run): { name: string; payload: object } {
    const images = this.images.get(r.sha) ?? new Map<Arch, string>();
    const ok = [...r.jobs.values()].every((j) => j.state === "completed" && j.conclusion === "success") && r.indexArches.every((a) => images.has(a));
    r.status = "completed";
    r.conclusion = ok ? "success" : "failure";
    if (ok) this.indexes.set(r.sha, { digest: `sha256:${hex(r.id, "f").padEnd(64, "0")}`, arches: r.indexArches });
    // The group's pending run starts.
    const next = this.runs.find((x) => x.group === r.group && x.status === "pending");
    if (next) next.status = "queued";
    return runEvent(r);
  }

  private cancel(r: Run): void {
    for (const [arch, j] of r.jobs) {
      if (j.state === "completed") continue;
      if (r.status === "pending") continue; // never started: no job events
      j.state = "completed";
      j.conclusion = "cancelled";
      this.pending.push(jobEvent(r, arch, "completed", "cancelled"));
    }
    r.status = "completed";
    r.conclusion = "cancelled";
    this.pending.push(runEvent(r));
  }

  /** The candidate registry as the App reads it back (src/app/report.ts): the index, then each arch's manifest. */
  registry(): RegistryAccess {
    const client = {
      getManifest: async (ref: { tag?: string; digest?: string }) => {
        if (ref.tag) {
          const sha = /[0-9a-f]{40}/.exec(ref.tag)?.[0] ?? "";
          const index = this.indexes.get(sha);
          if (!index) throw Object.assign(new Error(`manifest ${ref.tag} not found`), { code: "not-found" });
          const manifests = index.arches.map((a) => ({ mediaType: "application/vnd.oci.image.manifest.v1+json", digest: this.images.get(sha)!.get(a)!, size: 500, platform: { os: "linux", architecture: PLATFORM[a] } }));
          return { digest: index.digest, mediaType: "application/vnd.oci.image.index.v1+json", bytes: new Uint8Array(), json: {}, manifest: { kind: "index", mediaType: "application/vnd.oci.image.index.v1+json", manifests } };
        }
        const config = { mediaType: "application/vnd.oci.image.config.v1+json", digest: `sha256:${"c".repeat(64)}`, size: 100 };
        return { digest: ref.digest, mediaType: "application/vnd.oci.image.manifest.v1+json", bytes: new Uint8Array(), json: {}, manifest: { kind: "manifest", mediaType: "application/vnd.oci.image.manifest.v1+json", config, layers: [{ ...config, size: 1000 }] } };
      },
    };
    return { client: async () => client as unknown as RegistryClient };
  }
}

function jobEvent(r: Run, arch: Arch, action: JobState, conclusion: string | null) {
  return {
    name: "workflow_job",
    payload: examplePayload("workflow_job", action, {
      repo: REPO,
      installationId: INSTALLATION,
      headSha: r.sha,
      edit: (p) => {
        p.workflow_job.name = `build (${arch}) ${r.buildId}`;
        p.workflow_job.run_id = r.id;
        p.workflow_job.status = action;
        p.workflow_job.conclusion = conclusion;
        p.workflow_job.html_url = `https://github.com/${REPO}/actions/runs/${r.id}/job/${arch}`;
      },
    }),
  };
}

function runEvent(r: Run) {
  return {
    name: "workflow_run",
    payload: examplePayload("workflow_run", "completed", {
      repo: REPO,
      installationId: INSTALLATION,
      headSha: r.sha,
      edit: (p) => {
        p.workflow_run.id = r.id;
        p.workflow_run.display_title = `flibs build ${r.buildId}`;
        p.workflow_run.status = "completed";
        p.workflow_run.conclusion = r.conclusion;
        p.workflow_run.html_url = `https://github.com/${REPO}/actions/runs/${r.id}`;
      },
    }),
  };
}

// ---- the world ----------------------------------------------------------------------------------------

const github = useFakeGitHub();
let actions: Actions;
let pull: { sha: string };
/** Merge commit -> { tree, the PR head it merged }. */
const merges = new Map<string, { tree: string; head: string }>();
const trees = new Map<string, string>();
let apps: TestApp[];
let unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);

function serve() {
  github.repoFiles(REPO, { Dockerfile: DOCKERFILE, "container.yaml": "image: my-org/hello\n" }).repoFiles("my-org/.github", { ".github/flibs.yml": POLICY });
  github.acceptCheckRuns().listCheckRuns();
  github.on(DISPATCH, (req) => {
    actions.dispatch(req.params.workflow_id!, (req.body as { inputs: Record<string, string> }).inputs);
    return { status: 204 };
  });
  github.on("GET /repos/{owner}/{repo}/collaborators/{username}/permission", (req) => ({
    status: 200,
    body: { permission: "write", role_name: req.params.username === "maintainer" ? "maintain" : "write", user: { login: req.params.username } },
  }));
  github.on("GET /repos/{owner}/{repo}/pulls/{pull_number}", (req) => ({
    status: 200,
    body: {
      number: Number(req.params.pull_number),
      state: "open",
      merged: false,
      merge_commit_sha: null,
      user: { login: "member" },
      head: { sha: pull.sha, ref: "feature", repo: { full_name: REPO } },
      base: { ref: "main", repo: { full_name: REPO, default_branch: "main" } },
    },
  }));
  const reacted = new Set<string>();
  github.on("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", (req) => {
    const key = `${req.params.comment_id}:${(req.body as { content: string }).content}`;
    const seen = reacted.has(key);
    reacted.add(key);
    return { status: seen ? 200 : 201, body: { id: 1, content: (req.body as { content: string }).content } };
  });
  github.on("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", (req) => ({ status: 201, body: { id: 2, body: (req.body as { body: string }).body } }));
  // Promotion: the merge commit's PR and trees, deployments.
  github.on("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", (req) => {
    const m = merges.get(req.params.commit_sha!);
    return { status: 200, body: m ? [{ number: PR, head: { sha: m.head, ref: "feature" }, merged_at: "2026-11-22T10:00:00Z", merge_commit_sha: req.params.commit_sha }] : [] };
  });
  github.on("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", (req) => {
    const tree = trees.get(req.params.commit_sha!);
    return tree ? { status: 200, body: { sha: req.params.commit_sha, tree: { sha: tree } } } : notFound();
  });
  let deployment = 900;
  github.on("POST /repos/{owner}/{repo}/deployments", (req) => ({ status: 201, body: { id: deployment++, ...(req.body as object) } }));
  github.on("POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", (req) => ({ status: 201, body: { id: 1, ...(req.body as object) } }));
}

/** A replica of the App: its own Probot, its own in-memory serialisation, the same GitHub. */
async function replica(): Promise<TestApp> {
  // Each delivery's response waits for its work (as createTestApp's App does), so `receive` resolves when it is done.
  const { app } = createFlibsApp({ registry: actions.registry(), deliveryBudgetMs: 60_000 });
  const a = await createTestApp({ appFn: app as FlibsAppFunction });
  apps.push(a);
  return a;
}

beforeEach(() => {
  unhandled = [];
  process.on("unhandledRejection", onUnhandled);
  actions = new Actions();
  pull = { sha: hex(1, "1") };
  merges.clear();
  trees.clear();
  apps = [];
  serve();
});
afterEach(() => {
  process.off("unhandledRejection", onUnhandled);
  expect(unhandled).toEqual([]);
});

function synchronize(sha: string) {
  return examplePayload("pull_request", "synchronize", {
    repo: REPO,
    headSha: sha,
    installationId: INSTALLATION,
    sender: "member",
    edit: (p) => {
      p.repository.default_branch = "main";
      p.number = PR;
      p.pull_request.number = PR;
    },
  });
}

let commentId = 300;
function comment(body: string) {
  return examplePayload("issue_comment", "created", {
    repo: REPO,
    installationId: INSTALLATION,
    sender: "member",
    edit: (p) => {
      p.repository.default_branch = "main";
      p.issue.number = PR;
      p.issue.pull_request = { url: `https://api.github.com/repos/${REPO}/pulls/${PR}`, html_url: `https://github.com/${REPO}/pull/${PR}`, diff_url: null, patch_url: null };
      p.comment.id = commentId++;
      p.comment.body = body;
      p.comment.user = { ...p.comment.user, login: "member", type: "User" };
      p.comment.performed_via_github_app = null;
    },
  });
}

const deliver = (app: TestApp, e: { name: string; payload: object }, id?: string) => app.receive(e.name, e.payload, id);
const checks = (sha: string, name?: string) => github.checkRuns.filter((c) => c.head_sha === sha && (name === undefined || c.name === name));
/** The check GitHub shows for a name on a commit: the newest one. */
const shown = (sha: string, name: string): FakeCheckRun | undefined => checks(sha, name).sort((a, b) => b.id - a.id)[0];
const buildDispatches = () => github.calls(DISPATCH).filter((r) => r.params.workflow_id === "flibs.yml").map((r) => (r.body as { inputs: Record<string, string> }).inputs);
const state = (c: FakeCheckRun | undefined) => (c ? `${c.status}/${c.conclusion ?? "-"}` : "absent");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every job of the run queued, in progress and passed, then the run finished: the events in GitHub's order. */
function succeed(r: Run, arches: readonly Arch[] = r.arches): Array<{ name: string; payload: object }> {
  const events = [];
  for (const a of arches) events.push(actions.job(r, a, "in_progress"), actions.job(r, a, "completed", "success"));
  events.push(actions.finish(r));
  return events;
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
    const [A, B] = [hex(10, "a"), hex(11, "b")];
    pull.sha = A;
    if (variant === "both pushes at once") {
      pull.sha = B;
      await Promise.all([app.receive("pull_request", synchronize(A)), app.receive("pull_request", synchronize(B))]);
    } else {
      await app.receive("pull_request", synchronize(A));
      const runA = actions.run(`${A}.1`);
      for (const a of ARCHES) {
        await deliver(app, actions.job(runA, a, "queued"));
        await deliver(app, actions.job(runA, a, "in_progress"));
      }
      await sleep(1000);
      pull.sha = B;
      await app.receive("pull_request", synchronize(B));
    }
    // Whatever order the two dispatches took, the run dispatched last is the one GitHub keeps.
    const last = actions.runs.at(-1)!;
    const older = actions.runs.filter((r) => r !== last);
    const cancelled = actions.pending.splice(0);
    const mine = [...ARCHES.map((a) => actions.job(last, a, "queued")), ...succeed(last)];
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
    expectState(A, "flibs/build", "completed/cancelled");
    for (const a of ARCHES) if (checks(A, `flibs/build (${a})`).length) expectState(A, `flibs/build (${a})`, "completed/cancelled");
    expectState(B, "flibs/build", "completed/success");
    for (const a of ARCHES) expectState(B, `flibs/build (${a})`, "completed/success");
    // One summary per build, one check per arch and attempt: nothing created twice.
    for (const sha of [A, B]) {
      const ids = checks(sha).map((c) => `${c.name} ${c.external_id}`);
      tried++;
      if (new Set(ids).size !== ids.length) lost++;
      expect.soft(ids.length, `checks on ${sha.slice(0, 6)}: ${ids.join(", ")}`).toBe(new Set(ids).size);
    }
    expect(buildDispatches()).toHaveLength(2);
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
  test.each(variants)("$what: the retest waits for the running build, then flibs/build ends success with both arches", async ({ body }) => {
    const app = await replica();
    const sha = pull.sha;
    await app.receive("pull_request", synchronize(sha));
    const first = actions.run(`${sha}.1`);
    for (const a of ARCHES) await deliver(app, actions.job(first, a, "queued"));
    await deliver(app, actions.job(first, "x86_64", "in_progress"));
    await deliver(app, actions.job(first, "aarch64", "in_progress"));
    await deliver(app, actions.job(first, "aarch64", "completed", "failure"));

    await app.receive("issue_comment", comment(body));
    expect(buildDispatches()).toHaveLength(2);
    const second = actions.runs[1]!;
    expect(second.arches).toEqual(["aarch64"]);
    // A retest of some arches queues behind the PR's running build (build.yml's concurrency): x86_64 carries on.
    expect(first.status).toBe("in_progress");
    expect(second.status).toBe("pending");
    const rest = [actions.job(first, "x86_64", "completed", "success"), actions.finish(first)];
    expect(second.status).toBe("queued");
    // The first run's last events and the retest's first ones arrive together.
    await Promise.all([...rest.map((e) => deliver(app, e)), deliver(app, actions.job(second, "aarch64", "queued"))]);
    for (const e of succeed(second)) await deliver(app, e);

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
    // The first attempt's summary closed too (failed: its aarch64 failed), none left open.
    tried++;
    const open = checks(sha).filter((c) => c.status !== "completed");
    if (open.length) lost++;
    expect.soft(open.map((c) => c.name)).toEqual([]);
    record({ area: AREA, what: `${body} during a running build: final check states`, tried, held: tried - lost, lost });
    expect(lost).toBe(0);
  });

  test("/retest while every arch still builds and none failed: nothing is cancelled, nothing dispatched", async () => {
    const app = await replica();
    const sha = pull.sha;
    await app.receive("pull_request", synchronize(sha));
    const first = actions.run(`${sha}.1`);
    for (const a of ARCHES) await deliver(app, actions.job(first, a, "in_progress"));
    await app.receive("issue_comment", comment("/retest"));
    const held = [buildDispatches().length === 1, first.status !== "completed"];
    for (const e of succeed(first)) await deliver(app, e);
    held.push(state(shown(sha, "flibs/build")) === "completed/success");
    record({ area: AREA, what: "/retest with nothing failed during a build: no dispatch, build unharmed", tried: held.length, held: held.filter(Boolean).length, lost: held.filter((h) => !h).length });
    expect(held).toEqual([true, true, true]);
  });

  test("/build during a running build supersedes it: the running run is cancelled, the new attempt builds every arch", async () => {
    const app = await replica();
    const sha = pull.sha;
    await app.receive("pull_request", synchronize(sha));
    const first = actions.run(`${sha}.1`);
    for (const a of ARCHES) await deliver(app, actions.job(first, a, "in_progress"));
    await app.receive("issue_comment", comment("/build"));
    const second = actions.run(`${sha}.2`);
    expect(first.conclusion).toBe("cancelled");
    const cancelled = actions.pending.splice(0);
    await Promise.all([...cancelled.map((e) => deliver(app, e)), ...ARCHES.map((a) => deliver(app, actions.job(second, a, "queued")))]);
    for (const e of succeed(second)) await deliver(app, e);
    const got = [shown(sha, "flibs/build"), ...ARCHES.map((a) => shown(sha, `flibs/build (${a})`))].map(state);
    const open = checks(sha).filter((c) => c.status !== "completed").map((c) => c.name);
    const held = [...got.map((g) => g === "completed/success"), open.length === 0];
    record({ area: AREA, what: "/build during a build: superseded, new attempt final", tried: held.length, held: held.filter(Boolean).length, lost: held.filter((h) => !h).length });
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
  const MODES = ["in order of the permutation", "each delivered twice (same delivery id)", "all at once", "all at once, twice, the run's completion among them"] as const;

  test.each(["one replica", "two replicas"] as const)("%s: every order of queued / in_progress / completed, duplicated and concurrent", async (replicas) => {
    const a1 = await replica();
    const a2 = replicas === "two replicas" ? await replica() : a1;
    let n = 100;
    let tried = 0;
    const lost: string[] = [];
    for (const order of ORDERS) {
      for (const conclusion of ["success", "failure"] as const) {
        for (const mode of MODES) {
          const sha = hex(n++, "e");
          pull.sha = sha;
          await a1.receive("pull_request", synchronize(sha));
          const r = actions.run(`${sha}.1`);
          // Each arch's events in this order; x86_64 passes, aarch64 ends with `conclusion`.
          const events: Array<{ e: { name: string; payload: object }; id: string }> = [];
          for (const arch of ARCHES) {
            for (const step of order) {
              const e = actions.job(r, arch, step, step === "completed" ? (arch === "aarch64" ? conclusion : "success") : undefined);
              events.push({ e, id: `${sha}-${arch}-${step}` });
            }
          }
          // The states above were set in event order; the run's last word is what completed said.
          for (const arch of ARCHES) Object.assign(r.jobs.get(arch)!, { state: "completed", conclusion: arch === "aarch64" ? conclusion : "success" });
          const finished = { e: actions.finish(r), id: `${sha}-run` };
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
          const wrong = Object.entries(want).filter(([name, s]) => state(shown(sha, name)) !== s);
          // Every check run that exists is final: no stray duplicate left queued or in progress.
          const open = checks(sha).filter((c) => c.status !== "completed" && c.name.startsWith("flibs/build"));
          if (wrong.length || open.length) {
            lost.push(`${order.join(">")} ${conclusion} ${mode}: ${wrong.map(([name]) => `${name} is ${state(shown(sha, name))}`).join(", ")}${open.length ? ` open: ${open.map((c) => c.name).join(", ")}` : ""}`);
          }
        }
      }
    }
    record({ area: AREA, what: `workflow_job orders x duplicates x concurrency (${replicas})`, tried, held: tried - lost.length, lost: lost.length });
    expect(tried).toBe(ORDERS.length * 2 * MODES.length);
    expect(lost).toEqual([]);
  }, 120_000);
});

// ---- a merge delivered twice / concurrently: one promotion ---------------------------------------------

describe("a merge to the default branch promotes once", () => {
  /** The PR head built and passed (through the App, as above), then merged with the same tree. */
  async function builtAndMerged(app: TestApp, n: number): Promise<{ merge: string; push: object }> {
    const head = hex(n, "9");
    const merge = hex(n, "8");
    pull.sha = head;
    await app.receive("pull_request", synchronize(head));
    const r = actions.run(`${head}.1`);
    for (const e of [...ARCHES.map((a) => actions.job(r, a, "queued")), ...succeed(r)]) await deliver(app, e);
    expect(state(shown(head, "flibs/build"))).toBe("completed/success");
    trees.set(head, `${n}`.padStart(40, "7"));
    trees.set(merge, `${n}`.padStart(40, "7"));
    merges.set(merge, { tree: trees.get(merge)!, head });
    const push = examplePayload("push", undefined, {
      repo: REPO,
      installationId: INSTALLATION,
      headSha: merge,
      edit: (p) => {
        p.ref = "refs/heads/main";
        p.deleted = false;
        p.created = false;
        p.repository.default_branch = "main";
        p.head_commit = { ...(p.head_commit ?? {}), id: merge, tree_id: trees.get(merge), message: `Merge pull request #${PR}` };
      },
    });
    return { merge, push };
  }

  const cases = [
    { what: "the same delivery twice, one after the other", replicas: 1, concurrent: false, sameId: true },
    { what: "the same delivery three times at once", replicas: 1, concurrent: true, sameId: true },
    { what: "redelivered (new delivery id) at once", replicas: 1, concurrent: true, sameId: false },
    { what: "redelivered to another replica later", replicas: 2, concurrent: false, sameId: false },
  ];
  test.each(cases)("$what -> exactly one promotion dispatch", async ({ what, replicas, concurrent, sameId }) => {
    const a1 = await replica();
    const a2 = replicas === 2 ? await replica() : a1;
    let tried = 0;
    let lost = 0;
    for (const n of [1, 2, 3]) {
      const { merge, push } = await builtAndMerged(a1, 900 + n);
      const before = actions.promotions.length;
      const ids = [`push-${n}`, sameId ? `push-${n}` : `push-${n}-again`, sameId ? `push-${n}` : `push-${n}-third`];
      if (concurrent) await Promise.all(ids.map((id, i) => (i % 2 ? a2 : a1).receive("push", push, id)));
      else for (const [i, id] of ids.entries()) await (i % 2 ? a2 : a1).receive("push", push, id);
      const promoted = actions.promotions.slice(before).filter((p) => p.sha === merge);
      tried++;
      if (promoted.length !== 1) lost++;
      expect.soft(promoted.length, `promotion dispatches for merge ${n}`).toBe(1);
      expect.soft(checks(merge, "flibs/promote").map(state)).toEqual(["in_progress/-"]);
    }
    record({ area: AREA, what: `merge push ${what}: one promotion`, tried, held: tried - lost, lost });
    expect(lost).toBe(0);
  });
});
