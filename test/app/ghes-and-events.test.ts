import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { createTestApp, examplePayload, useFakeGitHub } from "../helpers/github.js";

const GHES = "https://ghe.example.com/api/v3";
const github = useFakeGitHub({ baseUrl: GHES, spec: "ghes-3.19" });
const dockerfile = readFileSync(new URL("../fixtures/webhooks/good/Dockerfile", import.meta.url), "utf8");
const SHA = "e".repeat(40);

describe("on GitHub Enterprise Server", () => {
  test("the review reads and publishes through the GHES API base path", async () => {
    github.repoFiles("my-org/hello", { Dockerfile: dockerfile }, { ref: SHA }).repoFiles("my-org/.github", {}).acceptCheckRuns();
    const app = await createTestApp({ baseUrl: GHES });
    await app.receive("pull_request", examplePayload("pull_request", "opened", { repo: "my-org/hello", headSha: SHA }));

    // REST under /api/v3, GraphQL at /api/graphql.
    expect(github.requests.every((r) => r.url.startsWith(`${GHES}/`) || r.url === "https://ghe.example.com/api/graphql")).toBe(true);
    expect(github.requests.some((r) => r.url === "https://ghe.example.com/api/graphql")).toBe(true);
    expect(github.calls("POST /repos/{owner}/{repo}/check-runs").map((r) => (r.body as { conclusion: string }).conclusion)).toEqual([
      "success",
    ]);
  });

  test("a container.yaml naming a Dockerfile outside the repository fails the check without reading it", async () => {
    github
      .repoFiles("my-org/hello", { "container.yaml": "dockerfile: ../../etc/passwd\n" }, { ref: SHA })
      .repoFiles("my-org/.github", {})
      .acceptCheckRuns();
    const app = await createTestApp({ baseUrl: GHES });
    await app.receive("pull_request", examplePayload("pull_request", "opened", { repo: "my-org/hello", headSha: SHA }));

    expect(github.calls("GET /repos/{owner}/{repo}/contents/{path}").map((r) => r.params.path)).not.toContain("../../etc/passwd");
    const body = github.calls("POST /repos/{owner}/{repo}/check-runs")[0]!.body as { conclusion: string; output: { title: string } };
    expect(body.conclusion).toBe("failure");
    expect(body.output.title).toContain("`../../etc/passwd` is not a path inside the repository");
  });
});

describe("events the review ignores", () => {
  // A PR closed unmerged has its running build cancelled (test/app/orchestration.test.ts); a merged one is left to promotion.
  test.each(["closed", "labeled", "assigned", "edited"])("pull_request.%s makes no request (closed: merged)", async (action) => {
    const app = await createTestApp({ baseUrl: GHES });
    const payload = examplePayload("pull_request", action === "edited" ? "opened" : action, {
      repo: "my-org/hello",
      edit: (p) => {
        p.action = action;
        if (action === "closed") p.pull_request.merged = true;
      },
    });
    await app.receive("pull_request", payload);
    expect(github.requests).toEqual([]);
  });
});
