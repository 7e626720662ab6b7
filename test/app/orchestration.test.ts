/**
 * Whole conversations with the App (gate, build, report): real Probot, real payloads from
 * @octokit/webhooks-examples, GitHub the one test world (test/helpers/world.ts: every REST request checked against
 * GitHub's OpenAPI description, every GraphQL query against GitHub's schema), and GitHub Actions running the
 * shipped workflows (the Action's bundle replaced by the stand-in, pushing to a real loopback registry): the
 * `workflow_job` and `workflow_run` deliveries are the harness's, named as GitHub names them. State lives only in
 * GitHub's check runs.
 */
import { beforeEach, describe, expect, test } from "vitest";
import { parseDigestsMarker } from "../../src/core/report/custody.js";
import { createTestApp, examplePayload, GRAPHQL_ROUTE, notFound, type GitHubRequest, type TestApp } from "../helpers/github.js";
import { useRegistry } from "../helpers/use-registry.js";
import { failOnUnhandledRejections } from "../helpers/unhandled.js";
import { useWorld } from "../helpers/world.js";

const REPO = "my-org/hello";
const PR = 7;
const DISPATCH = "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches";
const PERMISSION = "GET /repos/{owner}/{repo}/collaborators/{username}/permission";
const REACTION = "POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions";
const COMMENT = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments";
const CREATE = "POST /repos/{owner}/{repo}/check-runs";
const UPDATE = "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}";
const CANCEL = "POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel";
const DOCKERFILE = [
  "FROM registry.fedoraproject.org/fedora:41",
  'LABEL com.redhat.component="hello" name="hello" version="1" summary="hello" maintainer="me <me@example.com>"',
  "USER 1001",
  "",
].join("\n");

const registry = useRegistry();
const world = useWorld();
failOnUnhandledRejections();
let app: TestApp;
let HEAD: string;
let HEAD2: string;

beforeEach(async () => {
  world.policy(`arches: [x86_64, aarch64]\nregistries:\n  candidate: ${registry.host}/candidates\n  stable: ${registry.host}/stable\n`);
  await world.repo(REPO, { Dockerfile: DOCKERFILE, "container.yaml": "image: my-org/hello\n" });
  HEAD = await world.commit({ "feature.txt": "one\n" }, { branch: `pr-${PR}` });
  HEAD2 = await world.commit({ "feature.txt": "two\n" }, { branch: `pr-${PR}` });
  world.role("member", "write").role("outsider", "read");
  await world.standIn({ push: true });
  // By default the PR comes from an outsider's fork, at HEAD.
  pullFrom({ fork: true, author: "outsider" });
  app = await createTestApp();
});

/** The PR as GitHub has it now: from a fork or not, by whom, at which head. */
function pullFrom(o: { fork: boolean; author: string; head?: string }) {
  world.pull({ number: PR, head: o.head ?? HEAD, author: o.author, ...(o.fork ? { fork: "outsider/hello" } : {}) });
}

const prEvent = (action: string) => world.pullEvent(PR, action);
const comment = (body: string, by: string, o: { bot?: boolean } = {}) => world.commentEvent(PR, body, by, o);
const dispatches = () =>
  world.github.calls(DISPATCH).map((r) => r.body as { ref: string; inputs: Record<string, string>; return_run_details?: boolean });
const buildChecks = (sha: string) => world.github.checkRuns.filter((c) => c.head_sha === sha && c.name.startsWith("flibs/build"));
/** Result reactions (every handled comment first gets "eyes", the App's mark that it saw the comment). */
const reactions = () =>
  world.github
    .calls(REACTION)
    .map((r) => (r.body as { content: string }).content)
    .filter((c) => c !== "eyes");
const replies = () => world.github.calls(COMMENT).map((r) => (r.body as { body: string }).body);

/** A member's same-repository PR at HEAD, built through the App to the end of its run (events delivered as they happen). */
async function builtOnce(): Promise<void> {
  pullFrom({ fork: false, author: "member" });
  world.deliverTo(app);
  await app.receive("pull_request", prEvent("synchronize"));
  await world.settled();
}

describe("gate: untrusted code waits for /ok-to-test on its exact SHA", () => {
  test("fork PR by an outsider -> no dispatch; flibs/build is action_required and says who can approve", async () => {
    await app.receive("pull_request", prEvent("opened"));

    expect(dispatches()).toEqual([]);
    expect(world.github.calls(PERMISSION).map((r) => r.params.username)).toEqual(["outsider"]);
    const [gate] = buildChecks(HEAD);
    expect(buildChecks(HEAD)).toHaveLength(1);
    expect(gate).toMatchObject({ name: "flibs/build", status: "completed", conclusion: "action_required" });
    expect(gate!.summary).toContain("write access");
    // Before: "`/ok-to-test`"; the gate now asks for the commit reviewed to be named.
    expect(gate!.summary).toContain(`\`/ok-to-test ${HEAD.slice(0, 12)}\``);
    expect(gate!.summary).toContain(HEAD.slice(0, 12));
    expect(world.github.checkRuns.map((c) => c.name)).toContain("flibs/review");
  });

  test("/ok-to-test by a member -> one dispatch for that SHA, from the default branch, reaction rocket and a reply naming the SHA", async () => {
    await app.receive("pull_request", prEvent("opened"));
    await app.receive("issue_comment", comment("/ok-to-test", "member"));

    expect(dispatches()).toHaveLength(1);
    const d = dispatches()[0]!;
    expect(d.ref).toBe("main");
    expect(d.return_run_details).toBe(true);
    expect(d.inputs).toMatchObject({ sha: HEAD, build_id: `${HEAD}.1`, pr: String(PR), scratch: "false" });
    expect(JSON.parse(d.inputs.arches!)).toEqual(["x86_64", "aarch64"]);
    // The organisation policy travels as one input (before: a runner_labels input of its own).
    expect(JSON.parse(d.inputs.policy!)).toMatchObject({
      candidate: `${registry.host}/candidates`,
      runner_labels: { x86_64: ["self-hosted", "linux", "x86_64"], aarch64: ["self-hosted", "linux", "aarch64"] },
      control_runner: ["ubuntu-latest"],
    });
    expect(world.github.calls(DISPATCH)[0]!.params.workflow_id).toBe("flibs.yml");
    expect(world.github.calls(PERMISSION).map((r) => r.params.username)).toEqual(["outsider", "member"]);
    expect(reactions()).toEqual(["rocket"]);
    // Before: no reply. The App now says which commit the approval covers.
    expect(replies()).toHaveLength(1);
    expect(replies()[0]).toContain(`Approved \`${HEAD.slice(0, 12)}\` (this commit only`);
    const summary = buildChecks(HEAD).find((c) => c.external_id === `flibs:${HEAD}.1:summary`);
    // Queued, with the run GitHub started for the dispatch recorded.
    expect(summary).toMatchObject({ status: "queued" });
    expect(summary!.summary).toContain(`"run":${world.buildRun(`${HEAD}.1`).id}`);

    // A second /ok-to-test for the same SHA starts nothing more.
    await app.receive("issue_comment", comment("/ok-to-test", "member"));
    expect(dispatches()).toHaveLength(1);
    expect(reactions()).toEqual(["rocket", "+1"]);
  });

  test("a push after approval -> no dispatch: the approval was for the old SHA only", async () => {
    await app.receive("pull_request", prEvent("opened"));
    await app.receive("issue_comment", comment("/ok-to-test", "member"));
    expect(dispatches()).toHaveLength(1);

    world.pushTo(PR, HEAD2);
    await app.receive("pull_request", prEvent("synchronize"));
    expect(dispatches()).toHaveLength(1);
    expect(buildChecks(HEAD2)).toMatchObject([{ name: "flibs/build", conclusion: "action_required" }]);
    expect(buildChecks(HEAD2)[0]!.summary).toContain(HEAD2.slice(0, 12));
  });

  test("an /ok-to-test written before a push but delivered after it approves nothing: the writer saw the old head", async () => {
    await app.receive("pull_request", prEvent("opened"));
    const written = comment("/ok-to-test", "member");
    written.comment.created_at = written.comment.updated_at = "2020-01-01T00:00:00Z";
    world.pushTo(PR, HEAD2);
    await app.receive("pull_request", prEvent("synchronize"));
    await app.receive("issue_comment", written);
    expect(dispatches()).toEqual([]);
    expect(replies().at(-1)).toContain(`written before ${HEAD2.slice(0, 12)} was pushed`);
    // Approving again, now, builds the new head.
    await app.receive("issue_comment", comment("/ok-to-test", "member"));
    expect(dispatches().map((d) => d.inputs.sha)).toEqual([HEAD2]);
  });

  test("/ok-to-test by an outsider -> refused with a reply that says why; no dispatch, no reaction", async () => {
    await app.receive("pull_request", prEvent("opened"));
    await app.receive("issue_comment", comment("/ok-to-test", "outsider"));

    expect(dispatches()).toEqual([]);
    expect(reactions()).toEqual([]);
    expect(replies()).toHaveLength(1);
    expect(replies()[0]).toContain("`/ok-to-test` was refused: @outsider has read access; `/ok-to-test` needs write access");
    // Decided from the permission API, never from author_association.
    expect(world.github.calls(PERMISSION).at(-1)!.params.username).toBe("outsider");
  });
});

describe("dispatch, budget and idempotency", () => {
  test("a member's synchronize dispatches at once and stays within 6 GitHub API calls", async () => {
    pullFrom({ fork: false, author: "member" });
    await app.receive("pull_request", prEvent("synchronize"));

    const calls = world.github.apiCalls().map((r) => r.route);
    console.log(`pull_request.synchronize (same-repo, config unchanged): ${calls.length} GitHub API calls: ${calls.join(", ")}`);
    expect(calls.length).toBeLessThanOrEqual(6);
    // Before: no PATCH. The run id GitHub answered the dispatch with is now recorded in flibs/build.
    expect(calls).toEqual([GRAPHQL_ROUTE, CREATE, CREATE, DISPATCH, UPDATE]);
    expect(dispatches()).toHaveLength(1);
    expect(dispatches()[0]!.inputs.sha).toBe(HEAD);
  });

  test("another App's check runs under flibs' names neither stand for a build nor stop one", async () => {
    pullFrom({ fork: false, author: "member" });
    // A build already running, as far as check names and external ids go, but written by App 99.
    world.github.addCheckRun({
      repo: REPO,
      head_sha: HEAD,
      name: "flibs/build",
      app_id: 99,
      status: "in_progress",
      conclusion: null,
      external_id: `flibs:${HEAD}.1:summary`,
    });
    world.github.addCheckRun({
      repo: REPO,
      head_sha: HEAD,
      name: "flibs/build (x86_64)",
      app_id: 99,
      status: "in_progress",
      conclusion: null,
      external_id: `flibs:${HEAD}.1:x86_64`,
    });
    await app.receive("pull_request", prEvent("synchronize"));
    expect(dispatches()).toHaveLength(1);
    expect(dispatches()[0]!.inputs.build_id).toBe(`${HEAD}.1`);
  });

  test("a fork synchronize by a writer costs one more call (the author's permission) and still fits in 6", async () => {
    pullFrom({ fork: true, author: "member" });
    await app.receive("pull_request", prEvent("synchronize"));
    const calls = world.github.apiCalls().map((r) => r.route);
    console.log(`pull_request.synchronize (fork, author with write access): ${calls.length} GitHub API calls: ${calls.join(", ")}`);
    // Before: without the last PATCH (the run id recorded).
    expect(calls).toEqual([GRAPHQL_ROUTE, CREATE, PERMISSION, CREATE, DISPATCH, UPDATE]);
    expect(calls.length).toBeLessThanOrEqual(6);
  });

  test("a synchronize delivered after a newer push builds nothing (its build would cancel the newer head's)", async () => {
    pullFrom({ fork: false, author: "member", head: HEAD2 });
    await app.receive("pull_request", prEvent("synchronize"));
    expect(dispatches().map((d) => d.inputs.sha)).toEqual([HEAD2]);
    // GitHub does not order deliveries: the push of HEAD arrives last.
    const late = world.pullEvent(PR, "synchronize", { edit: (p) => (p.pull_request.head.sha = HEAD) });
    await app.receive("pull_request", late);
    expect(dispatches().map((d) => d.inputs.sha)).toEqual([HEAD2]);
    expect(buildChecks(HEAD)).toEqual([]);
    // Still one GraphQL read per event: the PR's head comes with the commit's state.
    expect(world.github.calls(GRAPHQL_ROUTE)).toHaveLength(2);
  });

  test("the same delivery three times -> one dispatch (at once, and again later)", async () => {
    pullFrom({ fork: false, author: "member" });
    const payload = prEvent("synchronize");
    await Promise.all([1, 2, 3].map(() => app.receive("pull_request", payload, "delivery-1")));
    await app.receive("pull_request", payload, "delivery-1");
    expect(dispatches()).toHaveLength(1);
    expect(world.github.checkRuns.filter((c) => c.name === "flibs/review")).toHaveLength(1);
    expect(world.github.checkRuns.filter((c) => c.name === "flibs/build")).toHaveLength(1);
  });

  test("/retest aarch64 -> only aarch64 is rebuilt, as the next attempt, x86_64 kept by its tested digest; the summary still expects both arches", async () => {
    // Attempt 1 ran to its end (aarch64 failed): flibs/build recorded x86_64's tested digest.
    await world.standIn({ push: true, fail: ["aarch64"] });
    await builtOnce();
    const x86 = parseDigestsMarker(world.shown(HEAD, "flibs/build")!.summary).x86_64;
    expect(x86).toMatch(/^sha256:[0-9a-f]{64}$/);
    world.deliverTo(undefined);
    await app.receive("issue_comment", comment("/retest aarch64", "member"));

    expect(dispatches()).toHaveLength(2);
    const d = dispatches()[1]!;
    expect(JSON.parse(d.inputs.arches!)).toEqual(["aarch64"]);
    // Before: index_arches ["x86_64","aarch64"] (the index read x86_64 back from its tag); now the kept arch's
    // tested digest travels by value.
    expect(JSON.parse(d.inputs.index_digests ?? "null")).toEqual({ x86_64: x86 });
    expect(JSON.parse(d.inputs.policy!).runner_labels).toEqual({ aarch64: ["self-hosted", "linux", "aarch64"] });
    expect(d.inputs.build_id).toBe(`${HEAD}.2`);
    expect(reactions()).toEqual(["rocket"]);
    const summary = buildChecks(HEAD).find((c) => c.external_id === `flibs:${HEAD}.2:summary`)!;
    expect(summary.summary).toContain('<!-- flibs:plan {"arches":["x86_64","aarch64"],"building":["aarch64"]');
  });

  test("/retest without arches rebuilds the failed ones; none failed -> a reply, no dispatch", async () => {
    await world.standIn({ push: true, fail: ["aarch64"] });
    await builtOnce();
    expect(world.shown(HEAD, "flibs/build (x86_64)")).toMatchObject({ conclusion: "success" });
    expect(world.shown(HEAD, "flibs/build (aarch64)")).toMatchObject({ conclusion: "failure" });
    await world.standIn({ push: true });
    await app.receive("issue_comment", comment("/retest", "member"));
    expect(JSON.parse(dispatches()[1]!.inputs.arches!)).toEqual(["aarch64"]);

    await world.settled();
    expect(world.shown(HEAD, "flibs/build (aarch64)")).toMatchObject({ conclusion: "success", external_id: `flibs:${HEAD}.2:aarch64` });
    await app.receive("issue_comment", comment("/retest", "member"));
    expect(dispatches()).toHaveLength(2);
    expect(replies().at(-1)).toContain("passed or is still running");
  });
});

describe("commands", () => {
  test("several per comment, unknown ones listed with the valid ones, /help answered", async () => {
    pullFrom({ fork: false, author: "member" });
    await app.receive("issue_comment", comment("/build --scratch\n/frobnicate\n/help", "member"));

    expect(dispatches().map((d) => [d.inputs.build_id, d.inputs.scratch])).toEqual([[`${HEAD}.1.scratch`, "true"]]);
    expect(replies()).toHaveLength(1);
    expect(replies()[0]).toContain("`/frobnicate` is not a flibs command");
    expect(replies()[0]).toContain("Valid commands: `/build`, `/retest`, `/ok-to-test`, `/cancel`, `/promote`, `/help`");
    expect(replies()[0]).toContain("/retest [arch...]");
    expect(reactions()).toEqual(["rocket"]);
  });

  test("a comment delivered three times (GitHub redelivers) starts one build: the eyes reaction is the mark", async () => {
    pullFrom({ fork: false, author: "member" });
    const c = comment("/build", "member");
    await Promise.all([1, 2, 3].map(() => app.receive("issue_comment", c, "delivery-c")));
    await app.receive("issue_comment", c, "delivery-c");
    expect(dispatches()).toHaveLength(1);
    expect(
      world.github
        .calls(REACTION)
        .map((r) => (r.body as { content: string }).content)
        .sort(),
    ).toEqual(["eyes", "eyes", "eyes", "eyes", "rocket"]);
    // GitHub created the eyes once and answered 200 to every later one: that is what made them redeliveries.
    expect(world.reactions.filter((r) => r.content === "eyes").map((r) => r.status)).toEqual([201, 200, 200, 200]);
  });

  test("edited comments and comments on plain issues start nothing", async () => {
    const edited = comment("/build", "member");
    edited.action = "edited";
    await app.receive("issue_comment", edited);
    const onIssue = comment("/build", "member");
    delete onIssue.issue.pull_request;
    await app.receive("issue_comment", onIssue);
    expect(world.github.apiCalls()).toEqual([]);
  });

  test("comments by bots (the App itself included) are ignored", async () => {
    await app.receive("issue_comment", comment("/build", "flibs[bot]", { bot: true }));
    expect(world.github.apiCalls()).toEqual([]);
  });

  /**
   * Runs of the caller workflow as GitHub lists them: this PR's build at HEAD (running: its arches are held),
   * another build of HEAD that completed, and a running build of another commit.
   */
  async function runsOfSeveralBuilds() {
    await world.standIn({ push: true, hold: ["x86_64", "aarch64"] });
    const policy = JSON.stringify({
      candidate: `${registry.host}/candidates`,
      insecure_registries: [],
      approved_registries: ["registry.fedoraproject.org"],
      component_drift: "warn",
      runner_labels: {},
      control_runner: ["ubuntu-latest"],
    });
    // An earlier build of HEAD, started by hand and finished (a prepare that refuses its arches fails it at once).
    await world.actions.dispatch(
      REPO,
      "flibs.yml",
      { ref: "main", inputs: { sha: HEAD, arches: '["sparc"]', build_id: `${HEAD}.1`, policy } },
      "member",
    );
    await world.settled();
    pullFrom({ fork: false, author: "member" });
    await app.receive("pull_request", prEvent("synchronize"));
    const ours = world.runs().at(-1)!;
    // Another commit's build, running (its own concurrency group: no PR number).
    await world.actions.dispatch(
      REPO,
      "flibs.yml",
      { ref: "main", inputs: { sha: HEAD2, arches: '["x86_64"]', build_id: `${HEAD2}.1`, policy } },
      "member",
    );
    while (!ours.jobs.some((j) => j.status === "in_progress" && j.name.includes("build ("))) await new Promise((r) => setTimeout(r, 20));
    const [done, other] = [world.runs()[0]!, world.runs().at(-1)!];
    expect(done).toMatchObject({ display_title: `flibs build ${HEAD}.1`, status: "completed" });
    expect(ours).toMatchObject({ display_title: `flibs build ${HEAD}.1`, status: "in_progress" });
    expect(other.status).not.toBe("completed");
    return { ours, done, other };
  }

  test("/cancel cancels the running run of this PR's build, found by its run-name", async () => {
    const { ours, other } = await runsOfSeveralBuilds();
    await app.receive("issue_comment", comment("/cancel", "member"));

    expect(world.github.calls(CANCEL).map((r) => Number(r.params.run_id))).toEqual([ours.id]);
    expect(reactions()).toEqual(["+1"]);
    await ours.done;
    expect(ours.conclusion).toBe("cancelled");
    expect(other.status).not.toBe("completed");
  });

  test("closing the PR unmerged cancels its head's running build; closing it merged leaves the build alone", async () => {
    const { ours } = await runsOfSeveralBuilds();
    const closed = (merged: boolean) =>
      world.pullEvent(PR, "closed", { edit: (p) => ((p.pull_request.merged = merged), (p.pull_request.state = "closed")) });
    await app.receive("pull_request", closed(true));
    expect(world.github.calls(CANCEL)).toEqual([]);
    await app.receive("pull_request", closed(false));
    expect(world.github.calls(CANCEL).map((r) => Number(r.params.run_id))).toEqual([ours.id]);
  });

  test("check_run.rerequested on flibs/build (aarch64) is /retest aarch64 by the requester, authorised too", async () => {
    await builtOnce();
    world.deliverTo(undefined);
    const rerun = (by: string) =>
      examplePayload("check_run", "rerequested", {
        repo: REPO,
        installationId: world.installationId,
        headSha: HEAD,
        sender: by,
        edit: (p) => {
          p.repository.default_branch = "main";
          p.check_run.name = "flibs/build (aarch64)";
          p.check_run.external_id = `flibs:${HEAD}.1:aarch64`;
          p.check_run.pull_requests = [
            {
              number: PR,
              id: 1,
              url: "",
              head: { ref: "f", sha: HEAD, repo: { id: 1, url: "", name: "hello" } },
              base: { ref: "main", sha: HEAD, repo: { id: 1, url: "", name: "hello" } },
            },
          ];
        },
      });
    await app.receive("check_run", rerun("outsider"));
    expect(dispatches()).toHaveLength(1);
    expect(replies().at(-1)).toContain("needs write access");

    const click = rerun("member");
    await app.receive("check_run", click);
    expect(dispatches()).toHaveLength(2);
    expect(JSON.parse(dispatches()[1]!.inputs.arches!)).toEqual(["aarch64"]);

    // The same click delivered again (or clicked twice): attempt 2 already rebuilds aarch64.
    await app.receive("check_run", click);
    await app.receive("check_run", rerun("member"));
    expect(dispatches()).toHaveLength(2);
  });

  test("/promote goes to the promotion module (refused here: the PR is not merged / permission)", async () => {
    await app.receive("issue_comment", comment("/promote", "member"));
    expect(replies()).toHaveLength(1);
    expect(replies()[0]).toContain("`/promote` was not run");
    expect(replies()[0]).toContain("needs maintain access");
  });
});

describe("report: workflow_job moves each arch's check, never backwards", () => {
  /** The App dispatches HEAD's build; the run goes to its end with the events recorded, not delivered. */
  async function recordedRun() {
    pullFrom({ fork: false, author: "member" });
    await app.receive("pull_request", prEvent("synchronize"));
    await world.settled();
    return world.buildRun(`${HEAD}.1`);
  }

  test("queued creates the check; completed before in_progress; duplicates change nothing", async () => {
    await world.standIn({ push: true, fail: ["aarch64"] });
    const run = await recordedRun();
    const events = (action: string) => world.deliveriesOf(run, { event: "workflow_job", action, job: /build \(aarch64\)/ });
    const arch = () => world.github.checkRuns.filter((c) => c.name === "flibs/build (aarch64)");

    await world.replay(events("queued"), app);
    expect(arch()).toMatchObject([{ status: "queued", external_id: `flibs:${HEAD}.1:aarch64` }]);

    await world.replay([...events("completed"), ...events("in_progress"), ...events("completed")], app);
    expect(arch()).toMatchObject([{ status: "completed", conclusion: "failure" }]);
    expect(arch()[0]!.details_url).toContain(`/actions/runs/${run.id}/job/`);
    // Before, every create and update of the test was this check's; now the PR's own checks are there too.
    expect(world.github.calls(CREATE).filter((r) => (r.body as { name: string }).name === "flibs/build (aarch64)")).toHaveLength(1);
    expect(world.github.calls(UPDATE).filter((r) => Number(r.params.check_run_id) === arch()[0]!.id)).toHaveLength(1);
  });

  test("jobs that are not an arch's build job (prepare, publish) are ignored", async () => {
    const run = await recordedRun();
    const before = world.github.apiCalls().length;
    const others = world.deliveriesOf(run, { event: "workflow_job", job: /^build \/ (prepare|publish) / });
    expect(new Set(others.map((d) => d.payload.workflow_job.name))).toEqual(
      new Set([`build / prepare ${HEAD}.1`, `build / publish ${HEAD}.1`]),
    );
    await world.replay(others, app);
    expect(world.github.apiCalls().slice(before)).toEqual([]);
  });

  test("a cancelled run (superseded by a newer push) closes flibs/build as cancelled", async () => {
    await world.standIn({ push: true, hold: ["x86_64", "aarch64"] });
    pullFrom({ fork: false, author: "member" });
    await app.receive("pull_request", prEvent("synchronize"));
    const superseded = world.buildRun(`${HEAD}.1`);
    // The newer push's build takes the PR's concurrency group: GitHub cancels the running one.
    world.pushTo(PR, HEAD2);
    await app.receive("pull_request", prEvent("synchronize"));
    await superseded.done;
    expect(superseded.conclusion).toBe("cancelled");
    const completed = world.deliveriesOf(superseded, { event: "workflow_run", action: "completed" });
    await world.replay([...completed, ...completed], app);
    const check = world.shown(HEAD, "flibs/build")!;
    // It says by what: the newer head, read from the PR (GitHub's run says only "cancelled").
    expect(check).toMatchObject({ status: "completed", conclusion: "cancelled", title: `Cancelled: superseded by ${HEAD2.slice(0, 7)}` });
    expect(
      world.github
        .calls(UPDATE)
        .filter((r) => Number(r.params.check_run_id) === check.id && (r.body as { conclusion?: string }).conclusion === "cancelled"),
    ).toHaveLength(1);
  });
});

test("the GraphQL read of a commit is checked against GitHub's schema (a bad field would fail the fake)", async () => {
  pullFrom({ fork: false, author: "member" });
  world.github.on("GET /repos/{owner}/{repo}/contents/{path}", () => notFound());
  await app.receive("pull_request", prEvent("synchronize"));
  const q = world.github.calls(GRAPHQL_ROUTE)[0] as GitHubRequest;
  expect((q.body as { query: string }).query).toContain("externalId");
  expect(world.github.problems).toEqual([]);
});
