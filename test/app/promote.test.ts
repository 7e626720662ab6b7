import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { DeliveryWork } from "../../src/app/deliveries.js";
import { handlePromoteCommand, registerPromotion } from "../../src/app/promote.js";
import { externalId } from "../../src/core/plan/build-id.js";
import { formatIndexMarker } from "../../src/core/report/index-marker.js";
import type { GitHubClient } from "../../src/github/octokit.js";
import { createTestApp, examplePayload, notFound, TEST_APP_ID, useFakeGitHub, type FakeGitHub, type GitHubRequest } from "../helpers/github.js";

const fixture = (path: string) => readFileSync(new URL(`../fixtures/webhooks/${path}`, import.meta.url), "utf8");
const REPO = "my-org/hello";
const INSTALLATION = 42;
const MERGE = "1111111111111111111111111111111111111111";
const HEAD = "2222222222222222222222222222222222222222";
const TREE = "3333333333333333333333333333333333333333";
const OTHER_TREE = "4444444444444444444444444444444444444444";
const DIGEST = `sha256:${"d".repeat(64)}`;
const MERGE_DIGEST = `sha256:${"e".repeat(64)}`;
const POLICY = "registries:\n  candidate: ghcr.io/my-org/candidates\n  stable: ghcr.io/my-org\narches: [x86_64, aarch64]\n";
const CONTAINER = "image: hello\n";

const DISPATCH = "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches";
const DEPLOY = "POST /repos/{owner}/{repo}/deployments";
const DEPLOY_STATUS = "POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses";
const CREATE = "POST /repos/{owner}/{repo}/check-runs";
const UPDATE = "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}";

interface Check {
  id: number;
  head_sha: string;
  name: string;
  status: string;
  conclusion: string | null;
  external_id: string | null;
  output: { title?: string; summary?: string | null; text?: string | null };
  details_url?: string;
  /** The App that wrote it (the App under test unless a test says otherwise). */
  app_id?: number;
}

/**
 * GitHub's side of the conversation, as state: check runs per commit (what the App writes is what it reads
 * back, so duplicates meet their own earlier work), deployments, commits, pull requests.
 */
class RepoState {
  checks: Check[] = [];
  deployments: Array<{ id: number; body: any }> = [];
  private nextCheck = 5000;
  private nextDeployment = 900;
  trees = new Map<string, string>([[MERGE, TREE]]);
  pulls = new Map<string, Array<{ number: number; head: string; merged: boolean }>>();
  permissions = new Map<string, string>();

  constructor(readonly github: FakeGitHub) {}

  addCheck(sha: string, name: string, c: Partial<Check> = {}): Check {
    const check: Check = { id: this.nextCheck++, head_sha: sha, name, status: "completed", conclusion: "success", external_id: null, output: {}, ...c };
    this.checks.push(check);
    return check;
  }

  /** What flibs' own checks say after a finished build of `sha` (review, per arch, the summary with its index). */
  testedBuild(sha: string, options: { digest?: string; scratch?: boolean; failed?: string; appId?: number } = {}): void {
    const id = { sha, attempt: 1, scratch: options.scratch ?? false };
    const app_id = options.appId ?? TEST_APP_ID;
    this.addCheck(sha, "flibs/review", { app_id });
    for (const arch of ["x86_64", "aarch64"] as const) {
      this.addCheck(sha, `flibs/build (${arch})`, { app_id, external_id: externalId(id, arch), conclusion: options.failed === arch ? "failure" : "success" });
    }
    const ok = !options.failed;
    this.addCheck(sha, "flibs/build", {
      app_id,
      external_id: externalId(id, "summary"),
      conclusion: ok ? "success" : "failure",
      output: { summary: ok ? "Built 2 arches" : "Build incomplete", text: ok ? `| arch |\n${formatIndexMarker(options.digest ?? DIGEST)}` : "| arch |" },
    });
  }

  serve(): this {
    const g = this.github;
    g.repoFiles(REPO, { "container.yaml": CONTAINER, Dockerfile: fixture("good/Dockerfile") }).repoFiles("my-org/.github", { ".github/flibs.yml": POLICY });
    g.on("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", (req) => {
      const runs = this.checks.filter((c) => c.head_sha === req.params.ref && (!req.query.app_id || (c.app_id ?? TEST_APP_ID) === Number(req.query.app_id)));
      return { body: { total_count: runs.length, check_runs: runs } };
    });
    g.on(CREATE, (req) => {
      const b = req.body as any;
      const c = this.addCheck(b.head_sha, b.name, { status: b.status, conclusion: b.conclusion ?? null, external_id: b.external_id ?? null, output: b.output ?? {} });
      return { status: 201, body: c };
    });
    g.on(UPDATE, (req) => {
      const c = this.checks.find((x) => x.id === Number(req.params.check_run_id));
      if (!c) return notFound();
      const b = req.body as any;
      Object.assign(c, {
        ...(b.status ? { status: b.status } : {}),
        ...(b.conclusion ? { conclusion: b.conclusion, status: "completed" } : {}),
        ...(b.external_id ? { external_id: b.external_id } : {}),
        ...(b.output ? { output: b.output } : {}),
        ...(b.details_url ? { details_url: b.details_url } : {}),
      });
      return { body: c };
    });
    g.on("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", (req) => ({
      body: (this.pulls.get(req.params.commit_sha!) ?? []).map((p) => ({
        number: p.number,
        head: { sha: p.head, ref: "feature" },
        merged_at: p.merged ? "2026-11-22T10:00:00Z" : null,
        merge_commit_sha: p.merged ? req.params.commit_sha : null,
      })),
    }));
    g.on("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", (req) => {
      const tree = this.trees.get(req.params.commit_sha!);
      return tree ? { body: { sha: req.params.commit_sha, tree: { sha: tree } } } : notFound();
    });
    g.on("GET /repos/{owner}/{repo}/commits/{ref}", (req) => (req.params.ref === "tags/v1.2.3" ? { body: { sha: MERGE, commit: { tree: { sha: TREE } } } } : notFound()));
    g.on(DEPLOY, (req) => {
      const d = { id: this.nextDeployment++, body: req.body };
      this.deployments.push(d);
      return { status: 201, body: { id: d.id, ...(req.body as object) } };
    });
    g.on(DEPLOY_STATUS, (req) => ({ status: 201, body: { id: 1, ...(req.body as object) } }));
    g.on(DISPATCH, { status: 204 });
    g.on("GET /repos/{owner}/{repo}/pulls/{pull_number}", () => ({
      body: { number: 7, merged: true, merge_commit_sha: MERGE, base: { ref: "main", repo: { default_branch: "main" } } },
    }));
    g.on("GET /repos/{owner}/{repo}/collaborators/{username}/permission", (req) => {
      const role = this.permissions.get(req.params.username!) ?? "read";
      return { body: { permission: role === "maintain" ? "write" : role, role_name: role, user: { login: req.params.username } } };
    });
    return this;
  }

  promoteChecks(sha = MERGE): Check[] {
    return this.checks.filter((c) => c.head_sha === sha && c.name === "flibs/promote");
  }
}

const github = useFakeGitHub();
let gh: RepoState;

let unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);
beforeEach(() => {
  unhandled = [];
  process.on("unhandledRejection", onUnhandled);
  gh = new RepoState(github).serve();
});
afterEach(() => {
  process.off("unhandledRejection", onUnhandled);
  expect(unhandled).toEqual([]);
});

function mergePush(options: { tree?: string } = {}) {
  return examplePayload("push", undefined, {
    repo: REPO,
    installationId: INSTALLATION,
    headSha: MERGE,
    edit: (p) => {
      p.ref = "refs/heads/main";
      p.deleted = false;
      p.created = false;
      p.repository.default_branch = "main";
      p.head_commit = { ...(p.head_commit ?? {}), id: MERGE, tree_id: options.tree ?? TREE, message: "Merge pull request #7" };
    },
  });
}

function workflowRunCompleted(title: string, conclusion = "success") {
  return examplePayload("workflow_run", "completed", {
    repo: REPO,
    installationId: INSTALLATION,
    edit: (p) => {
      p.workflow_run.display_title = title;
      p.workflow_run.conclusion = conclusion;
      p.workflow_run.status = "completed";
      p.workflow_run.html_url = `https://github.com/${REPO}/actions/runs/777`;
    },
  });
}

const dispatches = () => github.calls(DISPATCH).map((r: GitHubRequest) => ({ workflow: r.params.workflow_id, ...(r.body as { ref: string; inputs: Record<string, string> }) }));

/** What the build flow leaves on a commit once its build finished: every flibs/build check closed, the index recorded. */
function closeBuild(sha: string, conclusion: "success" | "failure") {
  for (const c of gh.checks.filter((x) => x.head_sha === sha && x.name === "flibs/build")) {
    Object.assign(c, { status: "completed", conclusion });
    c.output = { summary: conclusion === "success" ? `Built 2 arches\n${formatIndexMarker(MERGE_DIGEST)}` : "Build incomplete (failed: aarch64)" };
  }
  const id = { sha, attempt: 1, scratch: false };
  gh.addCheck(sha, "flibs/build (x86_64)", { external_id: externalId(id, "x86_64") });
  gh.addCheck(sha, "flibs/build (aarch64)", { external_id: externalId(id, "aarch64"), conclusion });
}

function buildCheckCompleted() {
  return examplePayload("check_run", "completed", {
    repo: REPO,
    installationId: INSTALLATION,
    headSha: MERGE,
    edit: (p) => {
      p.check_run.name = "flibs/build";
    },
  });
}

describe("merge -> promotion", () => {
  test("a merge whose tree equals the tested tree promotes exactly the tested digest; the run's completion closes check and deployment", async () => {
    gh.pulls.set(MERGE, [{ number: 7, head: HEAD, merged: true }]);
    gh.trees.set(HEAD, TREE);
    gh.testedBuild(HEAD);
    const app = await createTestApp();
    await app.receive("push", mergePush());

    expect(dispatches()).toEqual([
      {
        workflow: "flibs-promote.yml",
        ref: "main",
        inputs: {
          sha: MERGE,
          ref: "refs/heads/main",
          digest: DIGEST,
          promotion_id: `${MERGE}-1`,
          candidate: "ghcr.io/my-org/candidates",
          stable: "ghcr.io/my-org",
          environment: "stable",
        },
      },
    ]);
    expect(gh.deployments).toHaveLength(1);
    expect(gh.deployments[0]!.body).toMatchObject({ ref: MERGE, environment: "stable", payload: { digest: DIGEST, ref: "refs/heads/main", tested_sha: HEAD }, required_contexts: [] });
    const [check] = gh.promoteChecks();
    expect(check).toMatchObject({ status: "in_progress", external_id: `flibs-promote:${MERGE}-1:${gh.deployments[0]!.id}:refs/heads/main` });
    expect(check!.output.summary).toContain(`ghcr.io/my-org/hello@${DIGEST}`);
    // No build of the merge commit: the tested index is the one promoted.
    expect(dispatches().some((d) => d.workflow === "flibs.yml")).toBe(false);
    expect(github.writes().every((w) => w.installationId === INSTALLATION)).toBe(true);

    const before = github.writes().length;
    await app.receive("workflow_run", workflowRunCompleted(`flibs promote ${MERGE}-1`));
    const statuses = github.calls(DEPLOY_STATUS);
    expect(statuses).toHaveLength(1);
    expect(statuses[0]!.params.deployment_id).toBe(String(gh.deployments[0]!.id));
    expect(statuses[0]!.body).toMatchObject({
      state: "success",
      environment_url: `https://ghcr.io/v2/my-org/hello/manifests/${DIGEST}`,
      log_url: `https://github.com/${REPO}/actions/runs/777`,
    });
    expect(gh.promoteChecks()[0]).toMatchObject({ status: "completed", conclusion: "success", details_url: `https://github.com/${REPO}/actions/runs/777` });
    expect(gh.promoteChecks()[0]!.output.title).toBe(`Promoted to ghcr.io/my-org/hello@${DIGEST}`);
    expect(github.writes().length - before).toBe(2);

    // The same completion delivered again changes nothing.
    await app.receive("workflow_run", workflowRunCompleted(`flibs promote ${MERGE}-1`));
    expect(github.writes().length - before).toBe(2);
  });

  test("check runs another App wrote under flibs' names and markers are not a tested build: nothing is promoted", async () => {
    gh.pulls.set(MERGE, [{ number: 7, head: HEAD, merged: true }]);
    gh.trees.set(HEAD, TREE);
    // Another App installed on the repository (or a workflow's token) copies flibs' check names, external ids
    // and index marker, naming a digest of its choosing.
    gh.testedBuild(HEAD, { appId: 99, digest: `sha256:${"e".repeat(64)}` });
    const app = await createTestApp();
    await app.receive("push", mergePush());
    expect(github.calls("GET /repos/{owner}/{repo}/commits/{ref}/check-runs").every((r) => r.query.app_id === String(TEST_APP_ID))).toBe(true);
    expect(dispatches().filter((d) => d.workflow === "flibs-promote.yml")).toEqual([]);
    expect(JSON.stringify(github.calls())).not.toContain("e".repeat(64));
  });

  test("the same push delivered again, and twice at once, gives one promotion", async () => {
    gh.pulls.set(MERGE, [{ number: 7, head: HEAD, merged: true }]);
    gh.trees.set(HEAD, TREE);
    gh.testedBuild(HEAD);
    const app = await createTestApp();
    const push = mergePush();
    await Promise.all([app.receive("push", push, "d-1"), app.receive("push", push, "d-1")]);
    await app.receive("push", push, "d-1");

    expect(github.calls(DISPATCH)).toHaveLength(1);
    expect(github.calls(DEPLOY)).toHaveLength(1);
    expect(gh.promoteChecks()).toHaveLength(1);
    expect(app.logs.some((l) => l.msg === "flibs/promote" && JSON.stringify(l.data).includes("duplicate"))).toBe(true);
  });

  test("a merge whose tree differs is built (and reviewed) first, then promoted when its own checks pass", async () => {
    gh.pulls.set(MERGE, [{ number: 7, head: HEAD, merged: true }]);
    gh.trees.set(HEAD, OTHER_TREE);
    gh.testedBuild(HEAD);
    const app = await createTestApp();
    await app.receive("push", mergePush());

    expect(dispatches()).toEqual([
      {
        workflow: "flibs.yml",
        ref: "main",
        inputs: {
          sha: MERGE,
          arches: '["x86_64","aarch64"]',
          runner_labels: JSON.stringify({ x86_64: ["self-hosted", "linux", "x86_64"], aarch64: ["self-hosted", "linux", "aarch64"] }),
          build_id: `${MERGE}.1`,
          pr: "",
          scratch: "false",
        },
      },
    ]);
    expect(github.calls(DEPLOY)).toHaveLength(0);
    const waiting = gh.promoteChecks();
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatchObject({ status: "queued", external_id: `flibs-promote:${MERGE}-1:-:refs/heads/main` });
    expect(waiting[0]!.output.summary).toMatch(/another tree than this one: building 111111111111 first/);
    const onMerge = (name: string) => gh.checks.find((c) => c.head_sha === MERGE && c.name === name);
    expect(onMerge("flibs/build")).toMatchObject({ status: "queued", external_id: `flibs:${MERGE}.1:summary` });
    // The merge commit was never a PR's head: it is reviewed too, since promotion needs flibs/review.
    expect(onMerge("flibs/review")).toMatchObject({ status: "completed", conclusion: "success" });

    // The build flow closes the build's checks (on its run's completion); flibs/build's completion resumes the promotion.
    closeBuild(MERGE, "success");
    const completed = buildCheckCompleted();
    await app.receive("check_run", completed);
    await app.receive("check_run", completed);

    const promote = dispatches().filter((d) => d.workflow === "flibs-promote.yml");
    expect(promote).toHaveLength(1);
    expect(promote[0]!.inputs).toMatchObject({ sha: MERGE, digest: MERGE_DIGEST, promotion_id: `${MERGE}-1` });
    expect(github.calls(DEPLOY)).toHaveLength(1);
    // The waiting check itself moved on: still one flibs/promote, now naming its deployment.
    expect(gh.promoteChecks()).toHaveLength(1);
    expect(gh.promoteChecks()[0]).toMatchObject({ id: waiting[0]!.id, status: "in_progress", external_id: `flibs-promote:${MERGE}-1:${gh.deployments[0]!.id}:refs/heads/main` });
  });

  test("a failed arch: no promotion, flibs/promote fails naming the arch", async () => {
    gh.pulls.set(MERGE, [{ number: 7, head: HEAD, merged: true }]);
    gh.trees.set(HEAD, TREE);
    gh.testedBuild(HEAD, { failed: "aarch64" });
    const app = await createTestApp();
    await app.receive("push", mergePush());

    expect(github.calls(DISPATCH)).toHaveLength(0);
    expect(github.calls(DEPLOY)).toHaveLength(0);
    expect(gh.promoteChecks()).toHaveLength(1);
    expect(gh.promoteChecks()[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(gh.promoteChecks()[0]!.output.title).toBe("Not promoted: the build did not pass on aarch64");
  });

  test("a scratch build is never promoted: refused with the reason", async () => {
    gh.pulls.set(MERGE, [{ number: 7, head: HEAD, merged: true }]);
    gh.trees.set(HEAD, TREE);
    gh.testedBuild(HEAD, { scratch: true });
    const app = await createTestApp();
    await app.receive("push", mergePush());

    expect(github.calls(DISPATCH)).toHaveLength(0);
    expect(gh.promoteChecks()[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(gh.promoteChecks()[0]!.output.summary).toContain("scratch builds are never promoted");
  });

  test("an organisation whose policy names no registries (review only): a merge reports no promotion", async () => {
    github.repoFiles("my-org/.github", { ".github/flibs.yml": "arches: [x86_64]\n" });
    const app = await createTestApp();
    await app.receive("push", mergePush());
    expect(github.writes()).toEqual([]);
  });

  test("a push to another branch, or a deleted branch, promotes nothing and asks GitHub nothing", async () => {
    const app = await createTestApp();
    await app.receive("push", examplePayload("push", undefined, { repo: REPO, installationId: INSTALLATION, edit: (p) => ((p.ref = "refs/heads/feature"), (p.deleted = false)) }));
    await app.receive("push", examplePayload("push", undefined, { repo: REPO, installationId: INSTALLATION, edit: (p) => ((p.ref = "refs/heads/main"), (p.repository.default_branch = "main"), (p.deleted = true)) }));
    expect(github.apiCalls()).toEqual([]);
  });
});

describe("the promotion flow alone (no build report reading a registry)", () => {
  const promotionOnly = () => createTestApp({ appFn: (probot) => registerPromotion(probot, new DeliveryWork(60_000)) });
  function waitingForBuild() {
    gh.testedBuild(MERGE, { digest: MERGE_DIGEST });
    gh.checks = gh.checks.filter((c) => !(c.head_sha === MERGE && c.name.startsWith("flibs/build ")));
    gh.addCheck(MERGE, "flibs/promote", { status: "queued", conclusion: null, external_id: `flibs-promote:${MERGE}-1:-:refs/heads/main` });
  }

  test("workflow_run.completed of the merge commit's build resumes the waiting promotion once flibs/build is closed", async () => {
    waitingForBuild();
    const summary = gh.checks.find((c) => c.head_sha === MERGE && c.name === "flibs/build")!;
    Object.assign(summary, { status: "in_progress", conclusion: null });
    const app = await promotionOnly();
    // flibs/build not closed yet: nothing happens.
    await app.receive("workflow_run", workflowRunCompleted(`flibs build ${MERGE}.1`));
    expect(github.writes()).toEqual([]);
    Object.assign(summary, { status: "completed", conclusion: "success" });
    await app.receive("workflow_run", workflowRunCompleted(`flibs build ${MERGE}.1`));
    expect(dispatches().map((d) => [d.workflow, d.inputs.digest])).toEqual([["flibs-promote.yml", MERGE_DIGEST]]);
    // A scratch build's or a failed run's completion is not a reason to look.
    const before = github.apiCalls().length;
    await app.receive("workflow_run", workflowRunCompleted(`flibs build ${MERGE}.2.scratch`));
    await app.receive("workflow_run", workflowRunCompleted(`flibs build ${MERGE}.2`, "failure"));
    expect(github.apiCalls().length).toBe(before);
  });

  test("the merge commit's build failed on an arch: the waiting promotion is refused, naming it", async () => {
    waitingForBuild();
    gh.checks = gh.checks.filter((c) => !(c.head_sha === MERGE && c.name === "flibs/build"));
    gh.addCheck(MERGE, "flibs/build", { external_id: externalId({ sha: MERGE, attempt: 1, scratch: false }, "summary"), status: "in_progress", conclusion: null });
    closeBuild(MERGE, "failure");
    const app = await promotionOnly();
    await app.receive("check_run", buildCheckCompleted());
    expect(github.calls(DISPATCH)).toEqual([]);
    expect(github.calls(DEPLOY)).toEqual([]);
    expect(gh.promoteChecks()).toHaveLength(1);
    expect(gh.promoteChecks()[0]).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(gh.promoteChecks()[0]!.output.title).toBe("Not promoted: the build did not pass on aarch64");
  });

  test("a failed promote run fails flibs/promote and the deployment, with the run's log", async () => {
    gh.pulls.set(MERGE, [{ number: 7, head: HEAD, merged: true }]);
    gh.trees.set(HEAD, TREE);
    gh.testedBuild(HEAD);
    const app = await promotionOnly();
    await app.receive("push", mergePush());
    await app.receive("workflow_run", workflowRunCompleted(`flibs promote ${MERGE}-1`, "failure"));
    expect(github.calls(DEPLOY_STATUS).map((r) => r.body)).toEqual([
      expect.objectContaining({ state: "failure", log_url: `https://github.com/${REPO}/actions/runs/777` }),
    ]);
    expect(gh.promoteChecks()[0]).toMatchObject({ status: "completed", conclusion: "failure" });
  });
});

describe("release -> promotion with the semver tags", () => {
  function released(tag = "v1.2.3") {
    return examplePayload("release", "published", {
      repo: REPO,
      installationId: INSTALLATION,
      edit: (p) => {
        p.release.tag_name = tag;
        p.release.draft = false;
      },
    });
  }

  test("release v1.2.3 promotes the tested index of its commit for refs/tags/v1.2.3 (tags 1.2.3, 1.2, 1, latest); its tag push is the same promotion", async () => {
    gh.pulls.set(MERGE, [{ number: 7, head: HEAD, merged: true }]);
    gh.trees.set(HEAD, TREE);
    gh.testedBuild(HEAD);
    const app = await createTestApp();
    // The merge was promoted on main already: the release is another promotion of the same commit.
    await app.receive("push", mergePush());
    await app.receive("release", released());
    const tagPush = examplePayload("push", undefined, {
      repo: REPO,
      installationId: INSTALLATION,
      edit: (p) => {
        p.ref = "refs/tags/v1.2.3";
        p.deleted = false;
        p.after = "9".repeat(40); // an annotated tag object, not the commit
      },
    });
    await app.receive("push", tagPush);

    const promote = dispatches().filter((d) => d.workflow === "flibs-promote.yml");
    expect(promote.map((d) => [d.ref, d.inputs.ref, d.inputs.promotion_id])).toEqual([
      ["main", "refs/heads/main", `${MERGE}-1`],
      ["v1.2.3", "refs/tags/v1.2.3", `${MERGE}-2`],
    ]);
    expect(promote[1]!.inputs.digest).toBe(DIGEST);
    const release = gh.promoteChecks().find((c) => c.external_id?.endsWith(":refs/tags/v1.2.3"));
    expect(release?.output.summary).toContain("| tags | `1.2.3`, `1.2`, `1`, `latest` |");
    expect(gh.deployments.map((d) => d.body.payload.ref)).toEqual(["refs/heads/main", "refs/tags/v1.2.3"]);
  });

  test("a draft, or a tag that is not a version, is not promoted", async () => {
    const app = await createTestApp();
    await app.receive("release", examplePayload("release", "published", { repo: REPO, installationId: INSTALLATION, edit: (p) => ((p.release.tag_name = "nightly"), (p.release.draft = false)) }));
    await app.receive("release", examplePayload("release", "published", { repo: REPO, installationId: INSTALLATION, edit: (p) => ((p.release.tag_name = "v2.0.0"), (p.release.draft = true)) }));
    expect(github.apiCalls()).toEqual([]);
  });
});

describe("/promote", () => {
  async function octokitFor(): Promise<GitHubClient> {
    const app = await createTestApp();
    return (await app.probot.auth(INSTALLATION)) as GitHubClient;
  }

  test("from someone without policy.promote.permission: refused with the reason, nothing written", async () => {
    gh.permissions.set("writer", "write");
    const octokit = await octokitFor();
    const r = await handlePromoteCommand({ octokit, repo: { owner: "my-org", repo: "hello" }, pr: 7, actor: "writer" });
    expect(r).toEqual({ ok: false, message: "@writer has write access; `/promote` needs maintain access to this repository" });
    expect(github.writes()).toEqual([]);
  });

  function promoteComment(sender: string) {
    return examplePayload("issue_comment", "created", {
      repo: REPO,
      installationId: INSTALLATION,
      sender,
      edit: (p) => {
        p.issue.number = 7;
        p.issue.state = "closed";
        p.issue.pull_request = { url: `https://api.github.com/repos/${REPO}/pulls/7`, html_url: `https://github.com/${REPO}/pull/7`, diff_url: null, patch_url: null, merged_at: "2026-11-22T10:00:00Z" };
        p.comment.body = "/promote";
      },
    });
  }

  test("in a PR comment, through the App's command handling: refused with a reply saying why, or a rocket and the promotion", async () => {
    gh.permissions.set("writer", "write");
    gh.permissions.set("lead", "maintain");
    gh.pulls.set(MERGE, [{ number: 7, head: HEAD, merged: true }]);
    gh.trees.set(HEAD, TREE);
    gh.testedBuild(HEAD);
    github.on("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", (req) => ({ status: 201, body: { id: 1, ...(req.body as object) } }));
    github.on("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", (req) => ({ status: 201, body: { id: 1, ...(req.body as object) } }));
    const app = await createTestApp();

    await app.receive("issue_comment", promoteComment("writer"));
    const replies = github.calls("POST /repos/{owner}/{repo}/issues/{issue_number}/comments").map((r) => (r.body as { body: string }).body);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toContain("`/promote` was not run:");
    expect(replies[0]).toMatch(/writer has write access; .*\/promote.* needs maintain access to this repository/);
    expect(github.calls(DISPATCH)).toEqual([]);
    expect(github.calls(DEPLOY)).toEqual([]);

    await app.receive("issue_comment", promoteComment("lead"));
    expect(github.calls("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions").map((r) => (r.body as { content: string }).content)).toContain("rocket");
    expect(dispatches().map((d) => [d.workflow, d.inputs.digest])).toEqual([["flibs-promote.yml", DIGEST]]);
  });

  test("from a maintainer: the PR's merge commit is promoted, again after a refusal", async () => {
    gh.permissions.set("lead", "maintain");
    gh.pulls.set(MERGE, [{ number: 7, head: HEAD, merged: true }]);
    gh.trees.set(HEAD, TREE);
    gh.testedBuild(HEAD);
    gh.addCheck(MERGE, "flibs/promote", { conclusion: "failure", external_id: `flibs-promote:${MERGE}-1:-:refs/heads/main` });
    const octokit = await octokitFor();
    const r = await handlePromoteCommand({ octokit, repo: { owner: "my-org", repo: "hello" }, pr: 7, actor: "lead" });
    expect(r.ok).toBe(true);
    expect(r.message).toMatch(new RegExp(`^promoting ${DIGEST} \\(tested on 222222222222\\)`));
    expect(dispatches().map((d) => d.inputs.promotion_id)).toEqual([`${MERGE}-2`]);
    // While it runs, another /promote is refused rather than started twice.
    const again = await handlePromoteCommand({ octokit, repo: { owner: "my-org", repo: "hello" }, pr: 7, actor: "lead" });
    expect(again.ok).toBe(false);
    expect(again.message).toMatch(/already under way/);
    expect(github.calls(DISPATCH)).toHaveLength(1);
  });
});
