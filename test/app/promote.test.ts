/**
 * Promotion through the App, on the one test world: a pull request's head is built and tested through the
 * App and the shipped workflows (the stand-in Action pushing to a real loopback registry), merged as git merges
 * (same tree, or not), and the merge, a release or `/promote` dispatches the promote caller, whose run (promote.yml
 * through the fake Actions) closes `flibs/promote` and the deployment on its completion. Where only the promotion
 * is under test, flibs' checks of a finished build are recorded as the build flow leaves them (`recordBuild`).
 */
import { readFileSync } from "node:fs";
import { beforeEach, describe, expect, test } from "vitest";
import { DeliveryWork } from "../../src/app/deliveries.js";
import { promoteMergedPull } from "../../src/app/promote-command.js";
import { registerPromotionProgress } from "../../src/app/promotion-done.js";
import { registerPushAndRelease } from "../../src/app/push-release.js";
import { defaultRegistryAccess } from "../../src/app/registry-access.js";
import { scopeFor, type Flibs } from "../../src/app/scope.js";
import { PerCommit } from "../../src/app/serial.js";
import { isPromoteCheckName } from "../../src/core/report/promote-check.js";
import { parseIndexMarker } from "../../src/core/report/index-marker.js";
import type { GitHubClient } from "../../src/github/octokit.js";
import { createTestApp, examplePayload, TEST_APP_ID, type GitHubRequest, type TestApp } from "../helpers/github.js";
import { useRegistry } from "../helpers/use-registry.js";
import { failOnUnhandledRejections } from "../helpers/unhandled.js";
import { useWorld } from "../helpers/world.js";

const fixture = (path: string) => readFileSync(new URL(`../fixtures/webhooks/${path}`, import.meta.url), "utf8");
const REPO = "my-org/hello";
const PR = 7;
const DISPATCH = "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches";
const DEPLOY = "POST /repos/{owner}/{repo}/deployments";
const DEPLOY_STATUS = "POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses";

const registry = useRegistry();
const world = useWorld();
failOnUnhandledRejections();
let HEAD: string;
let policy: string;

beforeEach(async () => {
  policy = `registries:\n  candidate: ${registry.host}/candidates\n  stable: ghcr.io/my-org\narches: [x86_64, aarch64]\n`;
  world.policy(policy);
  await world.repo(REPO, { "container.yaml": "image: hello\n", Dockerfile: fixture("good/Dockerfile") });
  HEAD = await world.commit({ "feature.txt": "feature\n" }, { branch: `pr-${PR}` });
  world.role("member", "write");
  world.pull({ number: PR, head: HEAD, author: "member" });
  await world.standIn({ push: true });
});

const dispatches = () =>
  world.github
    .calls(DISPATCH)
    .map((r: GitHubRequest) => ({ workflow: r.params.workflow_id, ...(r.body as { ref: string; inputs: Record<string, string> }) }));
/** Every flibs/promote (<ref>) check of a commit: each ref has its own name (issue 21, point 5). */
const promoteChecks = (sha: string) => world.checks(sha).filter((c) => isPromoteCheckName(c.name));
const flibsParts = (): Flibs => ({ serial: new PerCommit(), registry: defaultRegistryAccess() });
/** `/promote` by `actor` on the PR, as the App's command handling runs it. */
const handlePromoteCommand = (a: { octokit: GitHubClient; repo: { owner: string; repo: string }; pr: number; actor: string }) =>
  promoteMergedPull(scopeFor(flibsParts(), a.octokit, a.repo, { info: () => undefined, warn: () => undefined } as never), {
    pr: a.pr,
    actor: a.actor,
  });
/** The build caller's `policy` input for this organisation, as the App sends it. */
const buildPolicy = () =>
  JSON.stringify({
    candidate: `${registry.host}/candidates`,
    insecure_registries: [],
    approved_registries: ["registry.fedoraproject.org", "quay.io/fedora"],
    component_drift: "warn",
    runner_labels: { x86_64: ["self-hosted", "linux", "x86_64"], aarch64: ["self-hosted", "linux", "aarch64"] },
    control_runner: ["ubuntu-latest"],
  });
/** The promote caller's `policy` input for this organisation. */
const promotePolicy = () =>
  JSON.stringify({
    candidate: `${registry.host}/candidates`,
    stable: "ghcr.io/my-org",
    insecure_registries: [],
    latest: true,
    runner: ["ubuntu-latest"],
  });

/** The PR's head built and tested through the App, to the end of its run; returns the index digest flibs/build recorded. */
async function tested(app: TestApp): Promise<string> {
  world.deliverTo(app);
  await app.receive("pull_request", world.pullEvent(PR, "synchronize"));
  await world.settled();
  world.deliverTo(undefined);
  const build = world.shown(HEAD, "flibs/build")!;
  return parseIndexMarker(build.summary) ?? `(flibs/build ${build.conclusion}: ${build.title})`;
}

/** Merges the PR into main: the same tree as its head, or (`changed`) one with another change on main too. */
async function merge(options: { changed?: boolean } = {}): Promise<string> {
  const sha = await world.commit(
    { "feature.txt": "feature\n", ...(options.changed ? { "other.txt": "someone else's change\n" } : {}) },
    { message: `Merge pull request #${PR}` },
  );
  world.merge(PR, sha);
  return sha;
}

/** The promote caller's latest run, once completed (its events were recorded, not delivered). */
async function promoteRun() {
  await world.settled();
  const run = world.runs("flibs-promote.yml").at(-1)!;
  return { run, completed: world.deliveriesOf(run, { event: "workflow_run", action: "completed" }) };
}

function buildCheckCompleted(sha: string) {
  const check = world.shown(sha, "flibs/build")!;
  return examplePayload("check_run", "completed", {
    repo: REPO,
    installationId: world.installationId,
    headSha: sha,
    edit: (p) => {
      Object.assign(p.check_run, {
        id: check.id,
        name: "flibs/build",
        status: check.status,
        conclusion: check.conclusion,
        external_id: check.external_id,
      });
      p.check_run.app = { ...p.check_run.app, id: TEST_APP_ID };
    },
  });
}

describe("merge -> promotion", () => {
  test("a merge whose tree equals the tested tree promotes exactly the tested digest; the run's completion closes check and deployment", async () => {
    const app = await createTestApp();
    const digest = await tested(app);
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const MERGE = await merge();
    expect(await world.tree(MERGE)).toBe(await world.tree(HEAD));
    await app.receive("push", await world.pushEvent("refs/heads/main", MERGE));

    expect(dispatches().filter((d) => d.workflow === "flibs-promote.yml")).toEqual([
      {
        workflow: "flibs-promote.yml",
        ref: "main",
        // Before: candidate, stable and environment were inputs of their own. The policy is one input now, and the
        // environment is fixed in the caller (never a dispatch input).
        inputs: { sha: MERGE, ref: "refs/heads/main", digest, promotion_id: `${MERGE}-1`, policy: promotePolicy() },
        return_run_details: true,
      },
    ]);
    expect(world.deployments).toHaveLength(1);
    expect(world.deployments[0]!.body).toMatchObject({
      ref: MERGE,
      environment: "stable",
      payload: { digest, ref: "refs/heads/main", tested_sha: HEAD },
      required_contexts: [],
    });
    const [check] = promoteChecks(MERGE);
    expect(check).toMatchObject({
      status: "in_progress",
      external_id: `flibs-promote:${MERGE}-1:${world.deployments[0]!.id}:refs/heads/main`,
    });
    expect(check!.summary).toContain(`ghcr.io/my-org/hello@${digest}`);
    const { run, completed } = await promoteRun();
    // The run the dispatch started is recorded: its completion, and no other run's, closes the check.
    expect(check!.summary).toContain(`<!-- flibs:run ${run.id} -->`);
    // No build of the merge commit: the tested index is the one promoted.
    expect(
      dispatches()
        .filter((d) => d.workflow === "flibs.yml")
        .map((d) => d.inputs.sha),
    ).toEqual([HEAD]);
    expect(world.github.writes().every((w) => w.installationId === world.installationId)).toBe(true);

    const before = world.github.writes().length;
    await world.replay(completed, app);
    const statuses = world.github.calls(DEPLOY_STATUS);
    expect(statuses).toHaveLength(1);
    expect(statuses[0]!.params.deployment_id).toBe(String(world.deployments[0]!.id));
    const log = `https://github.com/${REPO}/actions/runs/${run.id}`;
    // A page a person can open (the GHCR package), not the registry's /v2/ API URL as before.
    expect(statuses[0]!.body).toMatchObject({ state: "success", environment_url: "https://ghcr.io/my-org/hello", log_url: log });
    expect(promoteChecks(MERGE)[0]).toMatchObject({ status: "completed", conclusion: "success", details_url: log });
    // Before: "Promoted to ghcr.io/my-org/hello@<digest>". The title names the ref now (each ref has its own
    // check), and the summary keeps the digest as a copyable reference.
    expect(promoteChecks(MERGE)[0]!.name).toBe("flibs/promote (main)");
    expect(promoteChecks(MERGE)[0]!.title).toBe("Promoted to ghcr.io/my-org/hello for main");
    expect(promoteChecks(MERGE)[0]!.summary).toContain(`podman pull ghcr.io/my-org/hello@${digest}`);
    expect(world.github.writes().length - before).toBe(2);

    // The same completion delivered again changes nothing.
    await world.replay(completed, app);
    expect(world.github.writes().length - before).toBe(2);
  });

  test("check runs another App wrote under flibs' names and markers are not a tested build: nothing is promoted", async () => {
    const MERGE = await merge();
    // Another App installed on the repository (or a workflow's token) copies flibs' check names, external ids
    // and markers, naming a digest of its choosing.
    const forged = `sha256:${"e".repeat(64)}`;
    world.recordBuild(HEAD, { appId: 99, index: forged });
    const app = await createTestApp();
    await app.receive("push", await world.pushEvent("refs/heads/main", MERGE));
    expect(
      world.github.calls("GET /repos/{owner}/{repo}/commits/{ref}/check-runs").every((r) => r.query.app_id === String(TEST_APP_ID)),
    ).toBe(true);
    expect(dispatches().filter((d) => d.workflow === "flibs-promote.yml")).toEqual([]);
    expect(JSON.stringify(world.github.calls())).not.toContain("e".repeat(64));
  });

  test("the same push delivered again, and twice at once, gives one promotion", async () => {
    const app = await createTestApp();
    await tested(app);
    const MERGE = await merge();
    const push = await world.pushEvent("refs/heads/main", MERGE);
    await Promise.all([app.receive("push", push, "d-1"), app.receive("push", push, "d-1")]);
    await app.receive("push", push, "d-1");

    expect(dispatches().filter((d) => d.workflow === "flibs-promote.yml")).toHaveLength(1);
    expect(world.github.calls(DEPLOY)).toHaveLength(1);
    expect(promoteChecks(MERGE)).toHaveLength(1);
    expect(app.logs.some((l) => l.msg === "flibs/promote" && JSON.stringify(l.data).includes("duplicate"))).toBe(true);
  });

  test("a merge whose tree differs is built (and reviewed) first, then promoted when its own checks pass", async () => {
    const app = await createTestApp();
    await tested(app);
    const MERGE = await merge({ changed: true });
    await app.receive("push", await world.pushEvent("refs/heads/main", MERGE));

    const builds = dispatches().filter((d) => d.workflow === "flibs.yml" && d.inputs.sha === MERGE);
    expect(builds).toHaveLength(1);
    expect(builds[0]!.ref).toBe("main");
    expect(builds[0]!.inputs).toMatchObject({
      sha: MERGE,
      arches: '["x86_64","aarch64"]',
      build_id: `${MERGE}.1`,
      pr: "",
      scratch: "false",
    });
    // Before: a runner_labels input; the policy is one input now.
    expect(JSON.parse(builds[0]!.inputs.policy!).runner_labels).toEqual({
      x86_64: ["self-hosted", "linux", "x86_64"],
      aarch64: ["self-hosted", "linux", "aarch64"],
    });
    expect(world.github.calls(DEPLOY)).toHaveLength(0);
    const waiting = promoteChecks(MERGE);
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatchObject({ status: "queued", external_id: `flibs-promote:${MERGE}-1:-:refs/heads/main` });
    expect(waiting[0]!.summary).toMatch(new RegExp(`another tree than this one: building ${MERGE.slice(0, 12)} first`));
    const onMerge = (name: string) => world.shown(MERGE, name);
    expect(onMerge("flibs/build")).toMatchObject({ status: "queued", external_id: `flibs:${MERGE}.1:summary` });
    // The merge commit was never a PR's head: it is reviewed too, since promotion needs flibs/review.
    expect(onMerge("flibs/review")).toMatchObject({ status: "completed", conclusion: "success" });

    // The merge commit's run: its events close flibs/build (and may resume the promotion), then GitHub's
    // check_run.completed of flibs/build resumes it (delivered twice: one promotion).
    await world.settled();
    await world.replay(world.deliveriesOf(world.buildRun(`${MERGE}.1`)), app);
    expect(onMerge("flibs/build"), onMerge("flibs/build")?.summary ?? "").toMatchObject({ status: "completed", conclusion: "success" });
    const completed = buildCheckCompleted(MERGE);
    await app.receive("check_run", completed);
    await app.receive("check_run", completed);

    const promote = dispatches().filter((d) => d.workflow === "flibs-promote.yml");
    expect(promote).toHaveLength(1);
    expect(promote[0]!.inputs).toMatchObject({
      sha: MERGE,
      digest: parseIndexMarker(onMerge("flibs/build")!.summary),
      promotion_id: `${MERGE}-1`,
    });
    expect(world.github.calls(DEPLOY)).toHaveLength(1);
    // The waiting check itself moved on: still one flibs/promote, now naming its deployment.
    expect(promoteChecks(MERGE)).toHaveLength(1);
    expect(promoteChecks(MERGE)[0]).toMatchObject({
      id: waiting[0]!.id,
      status: "in_progress",
      external_id: `flibs-promote:${MERGE}-1:${world.deployments[0]!.id}:refs/heads/main`,
    });
  });

  test("a failed arch: no promotion, flibs/promote fails naming the arch", async () => {
    await world.standIn({ push: true, fail: ["aarch64"] });
    const app = await createTestApp();
    await tested(app);
    const MERGE = await merge();
    await app.receive("push", await world.pushEvent("refs/heads/main", MERGE));

    expect(dispatches().filter((d) => d.workflow === "flibs-promote.yml")).toHaveLength(0);
    expect(world.github.calls(DEPLOY)).toHaveLength(0);
    expect(promoteChecks(MERGE)).toHaveLength(1);
    expect(promoteChecks(MERGE)[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(promoteChecks(MERGE)[0]!.title).toBe("Not promoted: the build did not pass on aarch64");
  });

  test("a scratch build is never promoted: refused with the reason", async () => {
    // An outsider's fork PR: flibs/build waits for approval, and a member asks for a scratch build only.
    world.role("outsider", "read");
    world.pull({ number: PR, head: HEAD, author: "outsider", fork: "outsider/hello" });
    const app = await createTestApp();
    world.deliverTo(app);
    await app.receive("pull_request", world.pullEvent(PR, "opened"));
    await app.receive("issue_comment", world.commentEvent(PR, "/build --scratch", "member"));
    await world.settled();
    world.deliverTo(undefined);
    expect(world.shown(HEAD, "flibs/build")).toMatchObject({ external_id: `flibs:${HEAD}.1.scratch:summary`, conclusion: "success" });
    const MERGE = await merge();
    await app.receive("push", await world.pushEvent("refs/heads/main", MERGE));

    expect(dispatches().filter((d) => d.workflow === "flibs-promote.yml")).toHaveLength(0);
    expect(promoteChecks(MERGE)[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(promoteChecks(MERGE)[0]!.summary).toContain("scratch builds are never promoted");
  });

  test("an organisation whose policy names no registries (review only): a merge reports no promotion", async () => {
    world.policy("arches: [x86_64]\n");
    const MERGE = await merge();
    const app = await createTestApp();
    await app.receive("push", await world.pushEvent("refs/heads/main", MERGE));
    expect(world.github.writes()).toEqual([]);
  });

  test("a push to another branch, or a deleted branch, promotes nothing and asks GitHub nothing", async () => {
    const app = await createTestApp();
    await app.receive("push", await world.pushEvent("refs/heads/feature", HEAD));
    await app.receive("push", await world.pushEvent("refs/heads/main", HEAD, { edit: (p) => (p.deleted = true) }));
    expect(world.github.apiCalls()).toEqual([]);
  });
});

describe("the promotion flow alone (no build report reading a registry)", () => {
  const promotionOnly = () =>
    createTestApp({
      appFn: (probot) => {
        const deliveries = new DeliveryWork(60_000);
        const flibs = flibsParts();
        registerPushAndRelease(probot, deliveries, flibs);
        registerPromotionProgress(probot, deliveries, flibs);
      },
    });

  /**
   * The merge commit is being built first: its flibs/promote waits, and its build was dispatched as the App
   * dispatches it (the run GitHub started is the one flibs/build records).
   */
  async function waitingForBuild(MERGE: string) {
    const r = await world.actions.dispatch(REPO, "flibs.yml", {
      ref: "main",
      inputs: { sha: MERGE, arches: '["x86_64","aarch64"]', build_id: `${MERGE}.1`, pr: "", scratch: "false", policy: buildPolicy() },
      return_run_details: true,
    });
    const run = world.actions.run((r.body as { workflow_run_id: number }).workflow_run_id);
    world.github.addCheckRun({
      repo: REPO,
      head_sha: MERGE,
      name: "flibs/promote (main)",
      app_id: TEST_APP_ID,
      status: "queued",
      conclusion: null,
      external_id: `flibs-promote:${MERGE}-1:-:refs/heads/main`,
    });
    return run;
  }

  test("workflow_run.completed of the merge commit's build resumes the waiting promotion once flibs/build is closed", async () => {
    const MERGE = await merge({ changed: true });
    const run = await waitingForBuild(MERGE);
    world.recordBuild(MERGE, { run: run.id, status: "in_progress" });
    const app = await promotionOnly();
    await world.settled();
    const completed = world.deliveriesOf(run, { event: "workflow_run", action: "completed" });
    // flibs/build not closed yet: nothing happens.
    await world.replay(completed, app);
    expect(world.github.writes()).toEqual([]);
    // The build flow closes it (as its report of the run does), with the index: the same completion resumes.
    const digest = `sha256:${"c".repeat(64)}`;
    world.github.checkRuns.splice(world.github.checkRuns.indexOf(world.shown(MERGE, "flibs/build")!), 1);
    world.recordBuild(MERGE, { run: run.id, index: digest });
    await world.replay(completed, app);
    expect(
      dispatches()
        .filter((d) => d.workflow === "flibs-promote.yml")
        .map((d) => [d.workflow, d.inputs.digest]),
    ).toEqual([["flibs-promote.yml", digest]]);

    // A scratch build's or a failed run's completion is not a reason to look.
    const again = async (buildId: string, fail: boolean) => {
      await world.standIn({ push: true, ...(fail ? { fail: ["x86_64"] } : {}) });
      await world.actions.dispatch(REPO, "flibs.yml", {
        ref: "main",
        inputs: {
          sha: MERGE,
          arches: '["x86_64","aarch64"]',
          build_id: buildId,
          pr: "",
          scratch: String(buildId.endsWith(".scratch")),
          policy: buildPolicy(),
        },
      });
      await world.settled();
      const r = world.buildRun(buildId);
      expect(r.conclusion).toBe(fail ? "failure" : "success");
      return world.deliveriesOf(r, { event: "workflow_run", action: "completed" });
    };
    const scratch = await again(`${MERGE}.2.scratch`, false);
    const failed = await again(`${MERGE}.3`, true);
    const before = world.github.apiCalls().length;
    await world.replay([...scratch, ...failed], app);
    expect(world.github.apiCalls().length).toBe(before);
  });

  test("the merge commit's build failed on an arch: the waiting promotion is refused, naming it", async () => {
    const MERGE = await merge({ changed: true });
    const run = await waitingForBuild(MERGE);
    world.recordBuild(MERGE, { run: run.id, failed: "aarch64" });
    const app = await promotionOnly();
    await app.receive("check_run", buildCheckCompleted(MERGE));
    expect(world.github.calls(DISPATCH).filter((r) => r.params.workflow_id === "flibs-promote.yml")).toEqual([]);
    expect(world.github.calls(DEPLOY)).toEqual([]);
    expect(promoteChecks(MERGE)).toHaveLength(1);
    expect(promoteChecks(MERGE)[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(promoteChecks(MERGE)[0]!.title).toBe("Not promoted: the build did not pass on aarch64");
  });

  test("a failed promote run fails flibs/promote and the deployment, with the run's log", async () => {
    world.recordBuild(HEAD, { pr: PR });
    const MERGE = await merge();
    await world.standIn({ push: true, promote: { fail: true } });
    const app = await promotionOnly();
    await app.receive("push", await world.pushEvent("refs/heads/main", MERGE));
    const { run, completed } = await promoteRun();
    expect(run.conclusion).toBe("failure");
    await world.replay(completed, app);
    expect(world.github.calls(DEPLOY_STATUS).map((r) => r.body)).toEqual([
      expect.objectContaining({ state: "failure", log_url: `https://github.com/${REPO}/actions/runs/${run.id}` }),
    ]);
    expect(promoteChecks(MERGE)[0]).toMatchObject({ status: "completed", conclusion: "failure" });
  });
});

describe("release -> promotion with the semver tags", () => {
  function released(tag = "v1.2.3") {
    return examplePayload("release", "published", {
      repo: REPO,
      installationId: world.installationId,
      edit: (p) => {
        p.release.tag_name = tag;
        p.release.draft = false;
      },
    });
  }

  test("release v1.2.3 promotes the tested index of its commit for refs/tags/v1.2.3 (tags 1.2.3, 1.2, 1, latest); its tag push is the same promotion", async () => {
    const app = await createTestApp();
    const digest = await tested(app);
    const MERGE = await merge();
    await world.tag("v1.2.3", MERGE);
    // The merge was promoted on main already: the release is another promotion of the same commit.
    await app.receive("push", await world.pushEvent("refs/heads/main", MERGE));
    await app.receive("release", released());
    // An annotated tag's push names the tag object, not the commit: the App asks GitHub for the commit.
    await app.receive("push", await world.pushEvent("refs/tags/v1.2.3", MERGE, { edit: (p) => (p.after = "9".repeat(40)) }));

    const promote = dispatches().filter((d) => d.workflow === "flibs-promote.yml");
    expect(promote.map((d) => [d.ref, d.inputs.ref, d.inputs.promotion_id])).toEqual([
      ["main", "refs/heads/main", `${MERGE}-1`],
      ["v1.2.3", "refs/tags/v1.2.3", `${MERGE}-2`],
    ]);
    expect(promote[1]!.inputs.digest).toBe(digest);
    const release = promoteChecks(MERGE).find((c) => c.external_id?.endsWith(":refs/tags/v1.2.3"));
    expect(release?.summary).toContain("| tags | `1.2.3`, `1.2`, `1`, `latest` |");
    expect(world.deployments.map((d) => d.body.payload.ref)).toEqual(["refs/heads/main", "refs/tags/v1.2.3"]);
    // Both promote runs ran the caller from the dispatched ref, the release's from its tag.
    await world.settled();
    expect(world.runs("flibs-promote.yml").map((r) => [r.head_branch, r.conclusion])).toEqual([
      ["main", "success"],
      ["v1.2.3", "success"],
    ]);
  });

  test("a draft, or a tag that is not a version, is not promoted", async () => {
    const app = await createTestApp();
    await app.receive(
      "release",
      examplePayload("release", "published", {
        repo: REPO,
        installationId: world.installationId,
        edit: (p) => ((p.release.tag_name = "nightly"), (p.release.draft = false)),
      }),
    );
    await app.receive(
      "release",
      examplePayload("release", "published", {
        repo: REPO,
        installationId: world.installationId,
        edit: (p) => ((p.release.tag_name = "v2.0.0"), (p.release.draft = true)),
      }),
    );
    expect(world.github.apiCalls()).toEqual([]);
  });
});

describe("/promote", () => {
  async function octokitFor(app?: TestApp): Promise<GitHubClient> {
    return (await (app ?? (await createTestApp())).probot.auth(world.installationId)) as GitHubClient;
  }

  test("from someone without policy.promote.permission: refused with the reason, nothing written", async () => {
    world.role("writer", "write");
    const octokit = await octokitFor();
    const r = await handlePromoteCommand({ octokit, repo: { owner: "my-org", repo: "hello" }, pr: PR, actor: "writer" });
    expect(r).toEqual({ ok: false, message: "@writer has write access; `/promote` needs maintain access to this repository" });
    expect(world.github.writes()).toEqual([]);
  });

  function promoteComment(sender: string) {
    return world.commentEvent(PR, "/promote", sender, {
      edit: (p) => {
        p.issue.state = "closed";
        p.issue.pull_request.merged_at = "2026-11-22T10:00:00Z";
      },
    });
  }

  test("in a PR comment, through the App's command handling: refused with a reply saying why, or a rocket and the promotion", async () => {
    world.role("writer", "write").role("lead", "maintain");
    const app = await createTestApp();
    const digest = await tested(app);
    await merge();

    await app.receive("issue_comment", promoteComment("writer"));
    const replies = world.comments.map((c) => c.body);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain("`/promote` was not run:");
    expect(replies[0]).toMatch(/writer`? has write access; .*\/promote.* needs maintain access to this repository/);
    expect(dispatches().filter((d) => d.workflow === "flibs-promote.yml")).toEqual([]);
    expect(world.github.calls(DEPLOY)).toEqual([]);

    await app.receive("issue_comment", promoteComment("lead"));
    expect(world.reactions.map((r) => r.content)).toContain("rocket");
    expect(
      dispatches()
        .filter((d) => d.workflow === "flibs-promote.yml")
        .map((d) => [d.workflow, d.inputs.digest]),
    ).toEqual([["flibs-promote.yml", digest]]);
  });

  test("from a maintainer: the PR's merge commit is promoted, again after a refusal", async () => {
    world.role("lead", "maintain");
    const app = await createTestApp();
    const digest = await tested(app);
    const MERGE = await merge();
    world.github.addCheckRun({
      repo: REPO,
      head_sha: MERGE,
      name: "flibs/promote",
      app_id: TEST_APP_ID,
      conclusion: "failure",
      external_id: `flibs-promote:${MERGE}-1:-:refs/heads/main`,
    });
    const octokit = await octokitFor(app);
    const r = await handlePromoteCommand({ octokit, repo: { owner: "my-org", repo: "hello" }, pr: PR, actor: "lead" });
    expect(r.ok).toBe(true);
    expect(r.message).toMatch(new RegExp(`^promoting ${digest} \\(tested on ${HEAD.slice(0, 12)}\\)`));
    expect(
      dispatches()
        .filter((d) => d.workflow === "flibs-promote.yml")
        .map((d) => d.inputs.promotion_id),
    ).toEqual([`${MERGE}-2`]);
    // While it runs, another /promote is refused rather than started twice.
    const again = await handlePromoteCommand({ octokit, repo: { owner: "my-org", repo: "hello" }, pr: PR, actor: "lead" });
    expect(again.ok).toBe(false);
    expect(again.message).toMatch(/already under way/);
    expect(dispatches().filter((d) => d.workflow === "flibs-promote.yml")).toHaveLength(1);
  });
});
