import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { codeSpans, links } from "../helpers/markdown.js";
import { createTestApp, examplePayload, GRAPHQL_ROUTE, serverError, useFakeGitHub, type GitHubRequest } from "../helpers/github.js";
import { failOnUnhandledRejections } from "../helpers/unhandled.js";

const fixture = (path: string) => readFileSync(new URL(`../fixtures/webhooks/${path}`, import.meta.url), "utf8");
const HEAD = "4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e";
const REPO = "my-org/hello";
const CREATE = "POST /repos/{owner}/{repo}/check-runs";
const UPDATE = "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}";
const CONTENTS = "GET /repos/{owner}/{repo}/contents/{path}";

interface CheckBody {
  name: string;
  head_sha: string;
  status: string;
  conclusion: string;
  output: {
    title: string;
    summary: string;
    annotations?: { path: string; start_line: number; end_line: number; annotation_level: string; title?: string; message: string }[];
  };
}

const github = useFakeGitHub();

function prOpened(options: { action?: string; installationId?: number; fork?: string } = {}) {
  return examplePayload("pull_request", options.action ?? "opened", {
    repo: REPO,
    headSha: HEAD,
    installationId: options.installationId ?? 42,
    ...(options.fork ? { fork: options.fork } : {}),
  });
}

/** The repo at HEAD plus an organisation without a policy file. */
function serve(files: Record<string, string>, policy: Record<string, string> = {}) {
  github.repoFiles(REPO, files, { ref: HEAD }).repoFiles("my-org/.github", policy).acceptCheckRuns();
}

function onlyCheck(): { req: GitHubRequest; body: CheckBody } {
  const creates = github.calls(CREATE);
  expect(creates).toHaveLength(1);
  const req = creates[0]!;
  return { req, body: req.body as CheckBody };
}

failOnUnhandledRejections();

describe("pull_request -> flibs/review", () => {
  test("a bad Dockerfile: files read at the head SHA, one completed check with annotations on their lines, failure", async () => {
    serve({ Dockerfile: fixture("bad/Dockerfile") });
    const app = await createTestApp();
    await app.receive("pull_request", prOpened());

    // One GraphQL read (src/github/commit-state.ts): container.yaml and the Dockerfile at the head, the org policy.
    expect(github.calls(CONTENTS)).toEqual([]);
    const reads = github.calls(GRAPHQL_ROUTE).map((r) => r.body as { variables: Record<string, string> });
    expect(reads).toHaveLength(1);
    expect(reads[0]!.variables).toMatchObject({
      owner: "my-org",
      name: "hello",
      org: "my-org",
      orgRepo: ".github",
      sha: HEAD,
      config: `${HEAD}:container.yaml`,
      dockerfile: `${HEAD}:Dockerfile`,
      policy: "HEAD:.github/flibs.yml",
    });
    const { req, body } = onlyCheck();
    expect(req.params).toMatchObject({ owner: "my-org", repo: "hello" });
    expect(req.installationId).toBe(42);
    expect(body).toMatchObject({ name: "flibs/review", head_sha: HEAD, status: "completed", conclusion: "failure" });
    expect(github.calls(UPDATE)).toHaveLength(0);

    const at = (rule: string) =>
      body.output.annotations?.filter((a) => a.title === rule).map((a) => [a.path, a.start_line, a.annotation_level]);
    expect(at("add-url")).toEqual([["Dockerfile", 4, "failure"]]);
    expect(at("maintainer-deprecated")).toEqual([["Dockerfile", 2, "warning"]]);
    expect(at("dnf-assume-yes")).toEqual([["Dockerfile", 5, "failure"]]);
    expect(at("curl-pipe-shell")).toEqual([["Dockerfile", 6, "failure"]]);
    expect(at("base-image-tag")).toEqual([["Dockerfile", 1, "failure"]]);
    expect(body.output.summary).toContain("| Severity | File | Line | Finding |");
    expect(body.output.title).toMatch(/^\d+ errors, \d+ warnings$/);
    // Dockerfile text reaches the summary only inert: the URL in it is not a link. (This pinned the markdown
    // written, a zero-width space after `://`; the URL is now a code span, which copies as typed.)
    expect(links(body.output.summary).filter((l) => !l.url.startsWith("https://github.com/"))).toEqual([]);
    expect(codeSpans(body.output.summary).some((c) => c.startsWith("https://example.com"))).toBe(true);
  });

  test("a good Dockerfile and container.yaml: success, no annotations", async () => {
    serve({ Dockerfile: fixture("good/Dockerfile"), "container.yaml": fixture("good/container.yaml") });
    const app = await createTestApp();
    await app.receive("pull_request", prOpened({ action: "synchronize" }));

    const { body } = onlyCheck();
    expect(body).toMatchObject({ name: "flibs/review", head_sha: HEAD, status: "completed", conclusion: "success" });
    expect(body.output.annotations).toEqual([]);
    expect(body.output.title).toBe("No findings");
    expect(github.writes()).toHaveLength(1);
  });

  test("costs one read and one write; a second event for the same head only reads; the installation token is fetched once", async () => {
    serve({ Dockerfile: fixture("good/Dockerfile"), "container.yaml": fixture("good/container.yaml") });
    const app = await createTestApp();
    await app.receive("pull_request", prOpened());
    await app.receive("pull_request", prOpened({ action: "synchronize" }));

    expect(github.calls("POST /app/installations/{installation_id}/access_tokens")).toHaveLength(1);
    expect(github.apiCalls().map((r) => r.route)).toEqual([GRAPHQL_ROUTE, CREATE, GRAPHQL_ROUTE]);
    expect(github.apiCalls().every((r) => r.installationId === 42)).toBe(true);
  });

  test("reopened is reviewed too, and the Dockerfile is read where container.yaml says", async () => {
    serve({ "images/web/Containerfile": fixture("good/Dockerfile"), "container.yaml": "dockerfile: images/web/Containerfile\n" });
    const app = await createTestApp();
    await app.receive("pull_request", prOpened({ action: "reopened" }));

    expect(github.calls(CONTENTS).map((r) => r.params.path)).toContain("images/web/Containerfile");
    expect(onlyCheck().body.conclusion).toBe("success");
  });

  test("more than 50 findings: one create with the first 50 and the conclusion, then updates of 50", async () => {
    const lines = ["FROM registry.fedoraproject.org/fedora:41"];
    for (let i = 0; i < 120; i++) lines.push(`MAINTAINER person${i} <p${i}@example.com>`);
    serve({ Dockerfile: `${lines.join("\n")}\n` });
    const app = await createTestApp();
    await app.receive("pull_request", prOpened());

    const { body } = onlyCheck();
    const updates = github.calls(UPDATE).map((r) => r.body as CheckBody);
    const all = [body, ...updates].flatMap((b) => b.output.annotations ?? []);
    expect(body.conclusion).toBe("failure");
    expect(body.output.annotations).toHaveLength(50);
    expect(updates.map((u) => u.output.annotations?.length)).toEqual([50, 22]);
    expect(all).toHaveLength(122);
    // every MAINTAINER line (2..121) is annotated exactly once
    const maintainerLines = all
      .filter((a) => a.title === "maintainer-deprecated")
      .map((a) => a.start_line)
      .sort((a, b) => a - b);
    expect(maintainerLines).toEqual(Array.from({ length: 120 }, (_, i) => i + 2));
    expect(new Set(github.calls(UPDATE).map((r) => r.params.check_run_id))).toEqual(new Set(["1000"]));
  });

  test("a broken container.yaml fails with the annotation on its YAML line", async () => {
    serve({ Dockerfile: fixture("good/Dockerfile"), "container.yaml": fixture("bad/container.yaml") });
    const app = await createTestApp();
    await app.receive("pull_request", prOpened());

    const { body } = onlyCheck();
    expect(body.conclusion).toBe("failure");
    const config = body.output.annotations?.filter((a) => a.path === "container.yaml") ?? [];
    expect(config.length).toBeGreaterThan(0);
    expect(config.every((a) => a.start_line === 3 && a.annotation_level === "failure")).toBe(true);
  });

  test("a YAML syntax error in container.yaml is annotated on its line", async () => {
    serve({ Dockerfile: fixture("good/Dockerfile"), "container.yaml": "image: my-org/hello\ntags: [a, b\nplatforms: {}\n" });
    const app = await createTestApp();
    await app.receive("pull_request", prOpened());

    const { body } = onlyCheck();
    expect(body.conclusion).toBe("failure");
    const syntax = body.output.annotations?.filter((a) => a.title === "config-syntax") ?? [];
    expect(syntax.length).toBeGreaterThan(0);
    expect(syntax[0]!.path).toBe("container.yaml");
    expect(syntax[0]!.start_line).toBeGreaterThanOrEqual(2);
  });

  test("no Dockerfile: failure saying so", async () => {
    serve({ "README.md": "nothing to build" });
    const app = await createTestApp();
    await app.receive("pull_request", prOpened());

    const { body } = onlyCheck();
    expect(body.conclusion).toBe("failure");
    expect(body.output.annotations?.map((a) => [a.path, a.title, a.message])).toEqual([
      ["Dockerfile", "dockerfile-missing", "no Dockerfile in the repository"],
    ]);
    expect(body.output.summary).toContain("no Dockerfile in the repository");
  });

  test("GitHub answers 500 to the read: the check still completes as a failure with the reason", async () => {
    github.repoFiles("my-org/.github", {}).acceptCheckRuns();
    github.onGraphql(() => serverError(500));
    const app = await createTestApp();
    await expect(app.receive("pull_request", prOpened())).resolves.toBeUndefined();

    const { body } = onlyCheck();
    expect(body).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(body.output.title).toMatch(/could not run: cannot read my-org\/hello at 4f3e2d1c0b9a: GitHub answered 500/);
    expect(body.output.summary).toContain("GitHub answered 500");
    expect(app.logs.some((l) => l.level === "warn" && l.msg.includes("could not run"))).toBe(true);
  });

  test("an update failing after the create turns the check into a failure that says why", async () => {
    const lines = ["FROM registry.fedoraproject.org/fedora:41"];
    for (let i = 0; i < 60; i++) lines.push(`MAINTAINER person${i} <p${i}@example.com>`);
    serve({ Dockerfile: `${lines.join("\n")}\n` });
    github.on(UPDATE, (req) => ((req.body as { output?: { annotations?: unknown[] } }).output?.annotations ? serverError(502) : undefined));
    const app = await createTestApp();
    await expect(app.receive("pull_request", prOpened())).rejects.toThrow(/could not publish annotations 51-62 of 62/);

    const updates = github.calls(UPDATE).map((r) => r.body as CheckBody & { conclusion?: string });
    expect(updates).toHaveLength(2);
    expect(updates[1]).toMatchObject({ conclusion: "failure", output: { title: "flibs could not publish every finding" } });
    expect(updates[1]!.output.summary).toContain("could not publish annotations 51");
  });

  test("GitHub refusing the check itself fails the delivery loudly (so it can be redelivered), without an unhandled rejection", async () => {
    github.repoFiles(REPO, { Dockerfile: fixture("good/Dockerfile") }, { ref: HEAD }).repoFiles("my-org/.github", {});
    github.on(CREATE, serverError(500));
    const app = await createTestApp();
    await expect(app.receive("pull_request", prOpened())).rejects.toThrow();
    expect(github.calls(CREATE)).toHaveLength(1);
  });

  test("a fork PR is read from the base repository at the fork's head SHA", async () => {
    serve({ Dockerfile: fixture("good/Dockerfile") });
    const app = await createTestApp();
    const payload = prOpened({ fork: "someone/hello" });
    expect(payload.pull_request.head.repo.full_name).toBe("someone/hello");
    await app.receive("pull_request", payload);

    const repos = new Set(
      github
        .calls(GRAPHQL_ROUTE)
        .map((r) => (r.body as { variables: Record<string, string> }).variables)
        .map((v) => `${v.owner}/${v.name}@${v.sha}`),
    );
    expect(repos).toEqual(new Set([`my-org/hello@${HEAD}`]));
    expect(onlyCheck().body.conclusion).toBe("success");
  });
});

describe("organisation policy", () => {
  test("is read from the org's .github repository and changes the review", async () => {
    const policy = "approved_base_registries: [docker.io/library]\n";
    serve({ Dockerfile: fixture("bad/Dockerfile") }, { ".github/flibs.yml": policy });
    const app = await createTestApp();
    await app.receive("pull_request", prOpened());

    const rules = new Set(onlyCheck().body.output.annotations?.map((a) => a.title));
    expect(rules.has("base-image-registry")).toBe(false);
    expect(rules.has("add-url")).toBe(true);
  });

  test("_extends is followed (Probot's config loader)", async () => {
    serve(
      { Dockerfile: fixture("bad/Dockerfile") },
      { ".github/flibs.yml": '_extends: policies:flibs/base.yml\nrules:\n  add-url: "off"\n' },
    );
    github.repoFiles("my-org/policies", { "flibs/base.yml": "approved_base_registries: [docker.io/library]\n" });
    const app = await createTestApp();
    await app.receive("pull_request", prOpened());

    const rules = new Set(onlyCheck().body.output.annotations?.map((a) => a.title));
    expect(rules.has("base-image-registry")).toBe(false);
    expect(rules.has("add-url")).toBe(false);
    expect(rules.has("curl-pipe-shell")).toBe(true);
  });

  test("an invalid policy fails the check with the reason, even for a good Dockerfile", async () => {
    serve({ Dockerfile: fixture("good/Dockerfile") }, { ".github/flibs.yml": "arches: [sparc]\n" });
    const app = await createTestApp();
    await app.receive("pull_request", prOpened());

    const { body } = onlyCheck();
    expect(body.conclusion).toBe("failure");
    expect(body.output.title).toContain("invalid organisation policy my-org/.github:.github/flibs.yml");
    expect(body.output.summary).toContain("invalid organisation policy");
  });

  test("an unparsable policy fails the check with the reason", async () => {
    serve({ Dockerfile: fixture("good/Dockerfile") }, { ".github/flibs.yml": "arches: [x86_64\n" });
    const app = await createTestApp();
    await app.receive("pull_request", prOpened());

    const { body } = onlyCheck();
    expect(body.conclusion).toBe("failure");
    expect(body.output.title).toContain("cannot read the organisation policy");
  });
});
