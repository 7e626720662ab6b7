/**
 * Whole conversations with the App (issue 5, flows 2-4): real Probot, real payloads from
 * @octokit/webhooks-examples, GitHub faked by nock and every REST request checked against GitHub's OpenAPI
 * description, every GraphQL query against GitHub's schema. State lives only in the fake's check runs.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { createTestApp, examplePayload, GRAPHQL_ROUTE, notFound, useFakeGitHub, type GitHubRequest, type TestApp } from "../helpers/github.js";

const REPO = "my-org/hello";
const HEAD = "4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e";
const HEAD2 = "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b";
const DISPATCH = "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches";
const PERMISSION = "GET /repos/{owner}/{repo}/collaborators/{username}/permission";
const REACTION = "POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions";
const COMMENT = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments";
const CREATE = "POST /repos/{owner}/{repo}/check-runs";
const POLICY = "arches: [x86_64, aarch64]\nregistries:\n  candidate: registry.example.com/candidates\n  stable: registry.example.com/stable\n";
const DOCKERFILE = [
  "FROM registry.fedoraproject.org/fedora:41",
  'LABEL com.redhat.component="hello" name="hello" version="1" summary="hello" maintainer="me <me@example.com>"',
  "USER 1001",
  "",
].join("\n");

const github = useFakeGitHub();
const permissions = new Map<string, string>();
let pull: { sha: string; fork: boolean; author: string };

interface DispatchBody {
  ref: string;
  inputs: { sha: string; arches: string; index_arches?: string; runner_labels: string; build_id: string; pr: string; scratch: string };
}

function world() {
  github.repoFiles(REPO, { Dockerfile: DOCKERFILE, "container.yaml": "image: my-org/hello\n" }).repoFiles("my-org/.github", { ".github/flibs.yml": POLICY });
  github.acceptCheckRuns().listCheckRuns();
  github.on(DISPATCH, { status: 204 });
  github.on(PERMISSION, (req) => {
    const p = permissions.get(req.params.username!) ?? "read";
    return { status: 200, body: { permission: p === "maintain" ? "write" : p, role_name: p, user: { login: req.params.username } } };
  });
  github.on("GET /repos/{owner}/{repo}/pulls/{pull_number}", (req) => ({
    status: 200,
    body: {
      number: Number(req.params.pull_number),
      state: "open",
      user: { login: pull.author },
      head: { sha: pull.sha, ref: "feature", repo: { full_name: pull.fork ? "outsider/hello" : REPO } },
      base: { ref: "main", repo: { full_name: REPO, default_branch: "main" } },
    },
  }));
  // GitHub answers 200 for a reaction this App already left on the comment, 201 for a new one.
  const reacted = new Set<string>();
  github.on(REACTION, (req) => {
    const content = (req.body as { content: string }).content;
    const key = `${req.params.comment_id}:${content}`;
    const seen = reacted.has(key);
    reacted.add(key);
    return { status: seen ? 200 : 201, body: { id: 1, content } };
  });
  github.on(COMMENT, (req) => ({ status: 201, body: { id: 2, body: (req.body as { body: string }).body } }));
}

function prEvent(action: string, o: { sha?: string; fork?: boolean; author?: string } = {}) {
  return examplePayload("pull_request", action, {
    repo: REPO,
    headSha: o.sha ?? HEAD,
    installationId: 42,
    sender: o.author ?? "outsider",
    ...(o.fork === false ? {} : { fork: "outsider/hello" }),
    edit: (p) => {
      p.repository.default_branch = "main";
    },
  });
}

let commentId = 100;
function comment(body: string, by: string, o: { bot?: boolean; pr?: number } = {}) {
  return examplePayload("issue_comment", "created", {
    repo: REPO,
    installationId: 42,
    sender: by,
    edit: (p) => {
      p.repository.default_branch = "main";
      p.issue.number = o.pr ?? PR;
      p.issue.pull_request = { url: `https://api.github.com/repos/${REPO}/pulls/${o.pr ?? PR}`, html_url: `https://github.com/${REPO}/pull/${o.pr ?? PR}`, diff_url: null, patch_url: null };
      p.comment.id = commentId++;
      p.comment.body = body;
      p.comment.user = { ...p.comment.user, login: by, type: o.bot ? "Bot" : "User" };
      p.comment.performed_via_github_app = null;
    },
  });
}

const PR: number = prEvent("opened").pull_request.number;
const dispatches = () => github.calls(DISPATCH).map((r) => r.body as DispatchBody);
const buildChecks = (sha: string) => github.checkRuns.filter((c) => c.head_sha === sha && c.name.startsWith("flibs/build"));
/** Result reactions (every handled comment first gets "eyes", the App's mark that it saw the comment). */
const reactions = () => github.calls(REACTION).map((r) => (r.body as { content: string }).content).filter((c) => c !== "eyes");
const replies = () => github.calls(COMMENT).map((r) => (r.body as { body: string }).body);

/** The caller workflow's runs GitHub lists (id, build id in the run-name, status), and their cancel route. */
function serveRuns(runs: Array<[number, string, string]>) {
  github.on("GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs", {
    status: 200,
    body: { total_count: runs.length, workflow_runs: runs.map(([id, build, status]) => ({ id, name: "flibs", display_title: `flibs build ${build}`, status })) },
  });
  github.on("POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel", { status: 202, body: {} });
}

let app: TestApp;
let unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);
beforeEach(async () => {
  unhandled = [];
  process.on("unhandledRejection", onUnhandled);
  permissions.clear();
  permissions.set("member", "write");
  permissions.set("outsider", "read");
  pull = { sha: HEAD, fork: true, author: "outsider" };
  world();
  app = await createTestApp();
});
afterEach(() => {
  process.off("unhandledRejection", onUnhandled);
  expect(unhandled).toEqual([]);
});

describe("gate: untrusted code waits for /ok-to-test on its exact SHA", () => {
  test("fork PR by an outsider -> no dispatch; flibs/build is action_required and says who can approve", async () => {
    await app.receive("pull_request", prEvent("opened"));

    expect(dispatches()).toEqual([]);
    expect(github.calls(PERMISSION).map((r) => r.params.username)).toEqual(["outsider"]);
    const [gate] = buildChecks(HEAD);
    expect(buildChecks(HEAD)).toHaveLength(1);
    expect(gate).toMatchObject({ name: "flibs/build", status: "completed", conclusion: "action_required" });
    expect(gate!.summary).toContain("write access");
    expect(gate!.summary).toContain("`/ok-to-test`");
    expect(gate!.summary).toContain(HEAD.slice(0, 12));
    expect(github.checkRuns.map((c) => c.name)).toContain("flibs/review");
  });

  test("/ok-to-test by a member -> one dispatch for that SHA, from the default branch, reaction rocket", async () => {
    await app.receive("pull_request", prEvent("opened"));
    await app.receive("issue_comment", comment("/ok-to-test", "member"));

    expect(dispatches()).toHaveLength(1);
    const d = dispatches()[0]!;
    expect(d.ref).toBe("main");
    expect(d.inputs).toMatchObject({ sha: HEAD, build_id: `${HEAD}.1`, pr: String(PR), scratch: "false" });
    expect(JSON.parse(d.inputs.arches)).toEqual(["x86_64", "aarch64"]);
    expect(JSON.parse(d.inputs.runner_labels)).toEqual({ x86_64: ["self-hosted", "linux", "x86_64"], aarch64: ["self-hosted", "linux", "aarch64"] });
    expect(github.calls(DISPATCH)[0]!.params.workflow_id).toBe("flibs.yml");
    expect(github.calls(PERMISSION).map((r) => r.params.username)).toEqual(["outsider", "member"]);
    expect(reactions()).toEqual(["rocket"]);
    expect(replies()).toEqual([]);
    const summary = buildChecks(HEAD).find((c) => c.external_id === `flibs:${HEAD}.1:summary`);
    expect(summary).toMatchObject({ status: "queued" });

    // A second /ok-to-test for the same SHA starts nothing more.
    await app.receive("issue_comment", comment("/ok-to-test", "member"));
    expect(dispatches()).toHaveLength(1);
    expect(reactions()).toEqual(["rocket", "+1"]);
  });

  test("a push after approval -> no dispatch: the approval was for the old SHA only", async () => {
    await app.receive("pull_request", prEvent("opened"));
    await app.receive("issue_comment", comment("/ok-to-test", "member"));
    expect(dispatches()).toHaveLength(1);

    pull.sha = HEAD2;
    await app.receive("pull_request", prEvent("synchronize", { sha: HEAD2 }));
    expect(dispatches()).toHaveLength(1);
    expect(buildChecks(HEAD2)).toMatchObject([{ name: "flibs/build", conclusion: "action_required" }]);
    expect(buildChecks(HEAD2)[0]!.summary).toContain(HEAD2.slice(0, 12));
  });

  test("an /ok-to-test written before a push but delivered after it approves nothing: the writer saw the old head", async () => {
    await app.receive("pull_request", prEvent("opened"));
    const written = comment("/ok-to-test", "member");
    written.comment.created_at = written.comment.updated_at = "2020-01-01T00:00:00Z";
    pull.sha = HEAD2;
    await app.receive("pull_request", prEvent("synchronize", { sha: HEAD2 }));
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
    expect(github.calls(PERMISSION).at(-1)!.params.username).toBe("outsider");
  });
});

describe("dispatch, budget and idempotency", () => {
  test("a member's synchronize dispatches at once and stays within 6 GitHub API calls", async () => {
    pull = { sha: HEAD, fork: false, author: "member" };
    await app.receive("pull_request", prEvent("synchronize", { fork: false, author: "member" }));

    const calls = github.apiCalls().map((r) => r.route);
    console.log(`pull_request.synchronize (same-repo, config unchanged): ${calls.length} GitHub API calls: ${calls.join(", ")}`);
    expect(calls.length).toBeLessThanOrEqual(6);
    expect(calls).toEqual([GRAPHQL_ROUTE, CREATE, CREATE, DISPATCH]);
    expect(dispatches()).toHaveLength(1);
    expect(dispatches()[0]!.inputs.sha).toBe(HEAD);
  });

  test("another App's check runs under flibs' names neither stand for a build nor stop one", async () => {
    pull = { sha: HEAD, fork: false, author: "member" };
    // A build already running, as far as check names and external ids go, but written by App 99.
    github.addCheckRun({ repo: "my-org/hello", head_sha: HEAD, name: "flibs/build", app_id: 99, status: "in_progress", conclusion: null, external_id: `flibs:${HEAD}.1:summary` });
    github.addCheckRun({ repo: "my-org/hello", head_sha: HEAD, name: "flibs/build (x86_64)", app_id: 99, status: "in_progress", conclusion: null, external_id: `flibs:${HEAD}.1:x86_64` });
    await app.receive("pull_request", prEvent("synchronize", { fork: false, author: "member" }));
    expect(dispatches()).toHaveLength(1);
    expect(dispatches()[0]!.inputs.build_id).toBe(`${HEAD}.1`);
  });

  test("a fork synchronize by a writer costs one more call (the author's permission) and still fits in 6", async () => {
    await app.receive("pull_request", prEvent("synchronize", { author: "member" }));
    const calls = github.apiCalls().map((r) => r.route);
    console.log(`pull_request.synchronize (fork, author with write access): ${calls.length} GitHub API calls: ${calls.join(", ")}`);
    expect(calls).toEqual([GRAPHQL_ROUTE, CREATE, PERMISSION, CREATE, DISPATCH]);
    expect(calls.length).toBeLessThanOrEqual(6);
  });

  test("a synchronize delivered after a newer push builds nothing (its build would cancel the newer head's)", async () => {
    pull = { sha: HEAD2, fork: false, author: "member" };
    github.pullHeads.set(`${REPO}#${PR}`, HEAD2);
    await app.receive("pull_request", prEvent("synchronize", { sha: HEAD2, fork: false, author: "member" }));
    expect(dispatches().map((d) => d.inputs.sha)).toEqual([HEAD2]);
    // GitHub does not order deliveries: the push of HEAD arrives last.
    await app.receive("pull_request", prEvent("synchronize", { sha: HEAD, fork: false, author: "member" }));
    expect(dispatches().map((d) => d.inputs.sha)).toEqual([HEAD2]);
    expect(buildChecks(HEAD)).toEqual([]);
    // Still one GraphQL read per event: the PR's head comes with the commit's state.
    expect(github.calls(GRAPHQL_ROUTE)).toHaveLength(2);
  });

  test("the same delivery three times -> one dispatch (at once, and again later)", async () => {
    pull = { sha: HEAD, fork: false, author: "member" };
    const payload = prEvent("synchronize", { fork: false, author: "member" });
    await Promise.all([1, 2, 3].map(() => app.receive("pull_request", payload, "delivery-1")));
    await app.receive("pull_request", payload, "delivery-1");
    expect(dispatches()).toHaveLength(1);
    expect(github.checkRuns.filter((c) => c.name === "flibs/review")).toHaveLength(1);
    expect(github.checkRuns.filter((c) => c.name === "flibs/build")).toHaveLength(1);
  });

  test("/retest aarch64 -> only aarch64 is rebuilt, as the next attempt; the summary still expects both arches", async () => {
    pull = { sha: HEAD, fork: false, author: "member" };
    await app.receive("pull_request", prEvent("synchronize", { fork: false, author: "member" }));
    await app.receive("issue_comment", comment("/retest aarch64", "member"));

    expect(dispatches()).toHaveLength(2);
    const d = dispatches()[1]!;
    expect(JSON.parse(d.inputs.arches)).toEqual(["aarch64"]);
    expect(JSON.parse(d.inputs.index_arches ?? "null")).toEqual(["x86_64", "aarch64"]);
    expect(JSON.parse(d.inputs.runner_labels)).toEqual({ aarch64: ["self-hosted", "linux", "aarch64"] });
    expect(d.inputs.build_id).toBe(`${HEAD}.2`);
    expect(reactions()).toEqual(["rocket"]);
    const summary = buildChecks(HEAD).find((c) => c.external_id === `flibs:${HEAD}.2:summary`)!;
    expect(summary.summary).toContain('<!-- flibs:plan {"arches":["x86_64","aarch64"],"building":["aarch64"]');
  });

  test("/retest without arches rebuilds the failed ones; none failed -> a reply, no dispatch", async () => {
    pull = { sha: HEAD, fork: false, author: "member" };
    await app.receive("pull_request", prEvent("synchronize", { fork: false, author: "member" }));
    await app.receive("workflow_job", jobEvent("completed", "x86_64", 1, "success"));
    await app.receive("workflow_job", jobEvent("completed", "aarch64", 1, "failure"));
    await app.receive("issue_comment", comment("/retest", "member"));
    expect(JSON.parse(dispatches()[1]!.inputs.arches)).toEqual(["aarch64"]);

    await app.receive("workflow_job", jobEvent("completed", "aarch64", 2, "success"));
    await app.receive("issue_comment", comment("/retest", "member"));
    expect(dispatches()).toHaveLength(2);
    expect(replies().at(-1)).toContain("passed or is still running");
  });
});

function jobEvent(action: string, arch: string, attempt: number, conclusion: string | null = null, sha = HEAD) {
  return examplePayload("workflow_job", action, {
    repo: REPO,
    installationId: 42,
    headSha: sha,
    edit: (p) => {
      p.workflow_job.name = `build (${arch}) ${sha}.${attempt}`;
      p.workflow_job.conclusion = conclusion;
      p.workflow_job.html_url = `https://github.com/${REPO}/actions/runs/7/job/${arch.length}${attempt}`;
    },
  });
}

describe("commands", () => {
  test("several per comment, unknown ones listed with the valid ones, /help answered", async () => {
    pull = { sha: HEAD, fork: false, author: "member" };
    await app.receive("issue_comment", comment("/build --scratch\n/frobnicate\n/help", "member"));

    expect(dispatches().map((d) => [d.inputs.build_id, d.inputs.scratch])).toEqual([[`${HEAD}.1.scratch`, "true"]]);
    expect(replies()).toHaveLength(1);
    expect(replies()[0]).toContain("`/frobnicate` is not a flibs command");
    expect(replies()[0]).toContain("Valid commands: `/build`, `/retest`, `/ok-to-test`, `/cancel`, `/promote`, `/help`");
    expect(replies()[0]).toContain("/retest [arch...]");
    expect(reactions()).toEqual(["rocket"]);
  });

  test("a comment delivered three times (GitHub redelivers) starts one build: the eyes reaction is the mark", async () => {
    pull = { sha: HEAD, fork: false, author: "member" };
    const c = comment("/build", "member");
    await Promise.all([1, 2, 3].map(() => app.receive("issue_comment", c, "delivery-c")));
    await app.receive("issue_comment", c, "delivery-c");
    expect(dispatches()).toHaveLength(1);
    expect(github.calls(REACTION).map((r) => (r.body as { content: string }).content).sort()).toEqual(["eyes", "eyes", "eyes", "eyes", "rocket"]);
  });

  test("edited comments and comments on plain issues start nothing", async () => {
    const edited = comment("/build", "member");
    edited.action = "edited";
    await app.receive("issue_comment", edited);
    const onIssue = comment("/build", "member");
    delete onIssue.issue.pull_request;
    await app.receive("issue_comment", onIssue);
    expect(github.apiCalls()).toEqual([]);
  });

  test("comments by bots (the App itself included) are ignored", async () => {
    await app.receive("issue_comment", comment("/build", "flibs[bot]", { bot: true }));
    expect(github.apiCalls()).toEqual([]);
  });

  test("/cancel cancels the running run of this PR's build, found by its run-name", async () => {
    pull = { sha: HEAD, fork: false, author: "member" };
    await app.receive("pull_request", prEvent("synchronize", { fork: false, author: "member" }));
    serveRuns([
      [71, `${HEAD}.1`, "in_progress"],
      [72, `${HEAD2}.1`, "in_progress"],
      [73, `${HEAD}.1`, "completed"],
    ]);
    await app.receive("issue_comment", comment("/cancel", "member"));

    expect(github.calls("POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel").map((r) => r.params.run_id)).toEqual(["71"]);
    expect(reactions()).toEqual(["+1"]);
  });

  test("closing the PR unmerged cancels its head's running build; closing it merged leaves the build alone", async () => {
    pull = { sha: HEAD, fork: false, author: "member" };
    await app.receive("pull_request", prEvent("synchronize", { fork: false, author: "member" }));
    serveRuns([
      [81, `${HEAD}.1`, "in_progress"],
      [82, `${HEAD2}.1`, "queued"],
    ]);
    const closed = (merged: boolean) => {
      const p = prEvent("closed", { fork: false, author: "member" });
      p.pull_request.merged = merged;
      return p;
    };
    await app.receive("pull_request", closed(true));
    expect(github.calls("POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel")).toEqual([]);
    await app.receive("pull_request", closed(false));
    expect(github.calls("POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel").map((r) => r.params.run_id)).toEqual(["81"]);
  });

  test("check_run.rerequested on flibs/build (aarch64) is /retest aarch64 by the requester, authorised too", async () => {
    pull = { sha: HEAD, fork: false, author: "member" };
    await app.receive("pull_request", prEvent("synchronize", { fork: false, author: "member" }));
    const rerun = (by: string) =>
      examplePayload("check_run", "rerequested", {
        repo: REPO,
        installationId: 42,
        headSha: HEAD,
        sender: by,
        edit: (p) => {
          p.repository.default_branch = "main";
          p.check_run.name = "flibs/build (aarch64)";
          p.check_run.external_id = `flibs:${HEAD}.1:aarch64`;
          p.check_run.pull_requests = [{ number: PR, id: 1, url: "", head: { ref: "f", sha: HEAD, repo: { id: 1, url: "", name: "hello" } }, base: { ref: "main", sha: HEAD, repo: { id: 1, url: "", name: "hello" } } }];
        },
      });
    await app.receive("check_run", rerun("outsider"));
    expect(dispatches()).toHaveLength(1);
    expect(replies().at(-1)).toContain("needs write access");

    const click = rerun("member");
    await app.receive("check_run", click);
    expect(dispatches()).toHaveLength(2);
    expect(JSON.parse(dispatches()[1]!.inputs.arches)).toEqual(["aarch64"]);

    // The same click delivered again (or clicked twice): attempt 2 already rebuilds aarch64.
    await app.receive("check_run", click);
    await app.receive("check_run", rerun("member"));
    expect(dispatches()).toHaveLength(2);
  });

  test("/promote goes to the promotion module (refused here: the PR is not merged / permission)", async () => {
    permissions.set("member", "write");
    await app.receive("issue_comment", comment("/promote", "member"));
    expect(replies()).toHaveLength(1);
    expect(replies()[0]).toContain("`/promote` was not run");
    expect(replies()[0]).toContain("needs maintain access");
  });
});

describe("report: workflow_job moves each arch's check, never backwards", () => {
  test("queued creates the check; completed before in_progress; duplicates change nothing", async () => {
    await app.receive("workflow_job", jobEvent("queued", "aarch64", 1));
    const arch = () => github.checkRuns.filter((c) => c.name === "flibs/build (aarch64)");
    expect(arch()).toMatchObject([{ status: "queued", external_id: `flibs:${HEAD}.1:aarch64` }]);

    await app.receive("workflow_job", jobEvent("completed", "aarch64", 1, "failure"));
    await app.receive("workflow_job", jobEvent("in_progress", "aarch64", 1));
    await app.receive("workflow_job", jobEvent("completed", "aarch64", 1, "failure"));
    expect(arch()).toMatchObject([{ status: "completed", conclusion: "failure" }]);
    expect(arch()[0]!.details_url).toContain("/actions/runs/7/job/");
    expect(github.calls(CREATE)).toHaveLength(1);
    expect(github.calls("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}")).toHaveLength(1);
  });

  test("jobs that are not an arch's build job (prepare, publish) are ignored", async () => {
    const e = jobEvent("queued", "aarch64", 1);
    e.workflow_job.name = `publish ${HEAD}.1`;
    await app.receive("workflow_job", e);
    expect(github.apiCalls()).toEqual([]);
  });

  test("a cancelled run (superseded by a newer push) closes flibs/build as cancelled", async () => {
    pull = { sha: HEAD, fork: false, author: "member" };
    await app.receive("pull_request", prEvent("synchronize", { fork: false, author: "member" }));
    const run = examplePayload("workflow_run", "completed", {
      repo: REPO,
      installationId: 42,
      edit: (p) => {
        p.workflow_run.display_title = `flibs build ${HEAD}.1`;
        p.workflow_run.conclusion = "cancelled";
      },
    });
    await app.receive("workflow_run", run);
    await app.receive("workflow_run", run);
    expect(github.checkRuns.find((c) => c.name === "flibs/build")).toMatchObject({ status: "completed", conclusion: "cancelled" });
    expect(github.calls("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}")).toHaveLength(1);
  });
});

test("the GraphQL read of a commit is checked against GitHub's schema (a bad field would fail the fake)", async () => {
  pull = { sha: HEAD, fork: false, author: "member" };
  github.on("GET /repos/{owner}/{repo}/contents/{path}", () => notFound());
  await app.receive("pull_request", prEvent("synchronize", { fork: false, author: "member" }));
  const q = github.calls(GRAPHQL_ROUTE)[0] as GitHubRequest;
  expect((q.body as { query: string }).query).toContain("externalId");
  expect(github.problems).toEqual([]);
});
