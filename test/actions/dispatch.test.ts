import { afterEach, describe, expect, it } from "vitest";
import { FakeGitHub, useFakeGitHub } from "../helpers/github.js";
import { actionsFixture, FakeActions } from "../helpers/actions/index.js";

const github = useFakeGitHub();
let actions: FakeActions | undefined;
afterEach(async () => {
  await actions?.cleanup();
  actions = undefined;
});

async function typed(options: { ghes?: boolean } = {}): Promise<FakeActions> {
  const a = new FakeActions(github, { runners: [{ name: "r", labels: ["self-hosted", "linux"] }], ...options });
  await a.repos.create("my-org/app", { ".github/workflows/typed.yml": actionsFixture("dispatch/typed.yml") });
  await a.repos.commit("my-org/app", { "README.md": "branch" }, { branch: "feature" });
  return a;
}

/** The dispatch as Octokit sends it, through the fake's validated route. */
async function dispatch(body: object): Promise<{ status: number; body: any }> {
  const r = await fetch("https://api.github.com/repos/my-org/app/actions/workflows/typed.yml/dispatches", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined };
}

describe("workflow_dispatch as the REST API answers it", () => {
  it("refuses an input the workflow does not declare (422, listing them)", async () => {
    actions = await typed();
    const r = await dispatch({ ref: "main", inputs: { name: "x", colour: "red", size: "L" } });
    expect(r).toMatchObject({ status: 422, body: { message: 'Unexpected inputs provided: ["colour","size"]' } });
    expect(actions.runs).toEqual([]);
  });

  it("refuses a missing required input (422)", async () => {
    actions = await typed();
    const r = await dispatch({ ref: "main", inputs: { flag: "true" } });
    expect(r).toMatchObject({ status: 422, body: { message: "Required input 'name' not provided" } });
  });

  it("refuses a ref that is not a branch or tag, even a commit SHA (422)", async () => {
    actions = await typed();
    const sha = (await actions.repos.resolveRef("my-org/app", "main"))!.sha;
    for (const ref of [sha, "nope"]) {
      const r = await dispatch({ ref, inputs: { name: "x" } });
      expect(r).toMatchObject({ status: 422, body: { message: `No ref found for: ${ref}` } });
    }
  });

  it("refuses a choice outside its options", async () => {
    actions = await typed();
    const r = await dispatch({ ref: "main", inputs: { name: "x", level: "extreme" } });
    expect(r).toMatchObject({
      status: 422,
      body: { message: "Provided value 'extreme' for input 'level' not in the list of allowed values" },
    });
  });

  it("answers 204, or 200 with the run's id and URLs when return_run_details is true", async () => {
    actions = await typed();
    expect((await dispatch({ ref: "main", inputs: { name: "a" } })).status).toBe(204);
    const r = await dispatch({ ref: "feature", inputs: { name: "b" }, return_run_details: true });
    expect(r.status).toBe(200);
    await actions.idle();
    const run = actions.runs[1]!;
    expect(r.body).toEqual({
      workflow_run_id: run.id,
      run_url: `https://api.github.com/repos/my-org/app/actions/runs/${run.id}`,
      html_url: `https://github.com/my-org/app/actions/runs/${run.id}`,
    });
    expect(run.head_branch).toBe("feature");
    expect(run.head_sha).toBe((await actions.repos.resolveRef("my-org/app", "feature"))!.sha);
  });

  it("as GitHub Enterprise Server 3.20 and older: 400 to return_run_details", async () => {
    actions = await typed({ ghes: true });
    const r = await dispatch({ ref: "main", inputs: { name: "a" }, return_run_details: true });
    expect(r.status).toBe(400);
    expect(r.body.message).toContain('"return_run_details" is not a permitted key');
    expect((await dispatch({ ref: "main", inputs: { name: "a" } })).status).toBe(204);
  });

  it("applies defaults and types: a boolean input is a boolean in `inputs`", async () => {
    actions = await typed();
    await dispatch({ ref: "main", inputs: { name: "Ann", flag: "true" } });
    await dispatch({ ref: "main", inputs: { name: "Bob" } });
    await actions.idle();
    const [withFlag, without] = actions.runs;
    expect(withFlag!.display_title).toBe("typed Ann true");
    expect(withFlag!.jobs[0]!.outputs.flag).toBe("bool-true");
    expect(without!.jobs[0]!.outputs.flag).toBe("not-true");
    expect(JSON.parse(without!.jobs[0]!.outputs.json!)).toEqual({ name: "Bob", flag: false, level: "low", note: "it's Bob's" });
    expect(without!.jobs[0]!.outputs.contains).toBe("true");
  });
});

describe("expressions", () => {
  it("unescape every '' in a string literal, as GitHub's runner does (the library alone unescapes the first)", async () => {
    actions = await typed();
    await dispatch({ ref: "main", inputs: { name: "Ann" } });
    await actions.idle();
    expect(actions.runs[0]!.jobs[0]!.outputs.quoted).toBe("Ann 'and' it's");
  });
});

describe("FakeGitHub.listen()", () => {
  it("serves the same validated fake over HTTP, REST under /api/v3 and GraphQL at /api/graphql", async () => {
    const ghes = new FakeGitHub({ baseUrl: "https://ghe.example.com/api/v3" });
    const server = await ghes.listen();
    try {
      ghes.repoFiles("my-org/app", { "a.txt": "hello" });
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v3$/);
      const token = await fetch(`${server.url}/app/installations/7/access_tokens`, { method: "POST" });
      const { token: t } = (await token.json()) as { token: string };
      const file = await fetch(`${server.url}/repos/my-org/app/contents/a.txt`, {
        headers: { accept: "application/vnd.github.raw", authorization: `token ${t}` },
      });
      expect(await file.text()).toBe("hello");
      expect(ghes.calls("GET /repos/{owner}/{repo}/contents/{path}")[0]!.installationId).toBe(7);
      const gql = await fetch(`${server.url.replace(/\/v3$/, "")}/graphql`, {
        method: "POST",
        headers: { authorization: `bearer ${t}` },
        body: JSON.stringify({
          query: 'query { repository(owner: "my-org", name: "app") { object(expression: "main:a.txt") { ... on Blob { text } } } }',
        }),
      });
      expect(await gql.json()).toEqual({ data: { repository: { object: { text: "hello" } } } });
      const bad = await fetch(`${server.url}/repos/my-org/app/not-an-endpoint`);
      expect(bad.status).toBe(501);
      expect(ghes.problems).toEqual([expect.stringContaining("is not an operation of GitHub's REST API")]);
    } finally {
      await server.close();
      ghes.stop();
    }
  });
});
