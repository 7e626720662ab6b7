import { Octokit } from "@octokit/rest";
import { describe, expect, test } from "vitest";
import { FakeGitHub, GRAPHQL_ROUTE } from "../helpers/github.js";

const fake = (baseUrl?: string) => new FakeGitHub(baseUrl ? { baseUrl } : {}).start();

describe("the fake GitHub's GraphQL endpoint", () => {
  test("a query that is not valid against GitHub's schema is a problem (and answered 501)", async () => {
    const github = fake();
    try {
      const octokit = new Octokit({ auth: "t", request: { retries: 0 } });
      await expect(octokit.graphql(`query { repository(owner: "o", name: "r") { noSuchField } }`)).rejects.toThrow();
      expect(github.problems.join("\n")).toMatch(
        /not valid against GitHub's schema: Cannot query field "noSuchField" on type "Repository"/,
      );
      await expect(
        octokit.graphql(`query($n: Int!) { repository(owner: "o", name: "r") { issue(number: $n) { id } } }`, { n: "x" }),
      ).rejects.toThrow();
      expect(github.problems.join("\n")).toMatch(/GraphQL variables are invalid/);
    } finally {
      github.stop();
    }
  });

  test("a valid query is executed against the root a test gives, in GitHub's shape", async () => {
    const github = fake();
    try {
      github.onGraphql(() => ({ root: { viewer: { login: "octocat", name: "The Octocat" } } }));
      const octokit = new Octokit({ auth: "t" });
      const r = await octokit.graphql<{ viewer: { login: string } }>(`query { viewer { login } }`);
      expect(r).toEqual({ viewer: { login: "octocat" } });
      expect(github.calls(GRAPHQL_ROUTE)).toHaveLength(1);
      expect(github.writes()).toEqual([]);
      expect(github.problems).toEqual([]);
    } finally {
      github.stop();
    }
  });

  test("the default world serves repoFiles as Blobs and reports an unknown repository as NOT_FOUND; GHES at /api/graphql", async () => {
    const github = fake("https://ghe.example.com/api/v3");
    try {
      github.repoFiles("my-org/app", { "a.txt": "hello" }, { ref: "main" });
      const octokit = new Octokit({ auth: "t", baseUrl: "https://ghe.example.com/api/v3" });
      const q = `query($o: String!, $n: String!) { repository(owner: $o, name: $n) { object(expression: "main:a.txt") { ... on Blob { text } } } }`;
      expect(await octokit.graphql(q, { o: "my-org", n: "app" })).toEqual({ repository: { object: { text: "hello" } } });
      const missing = await octokit.graphql(q, { o: "my-org", n: "nope" }).catch((e: { errors?: unknown[] }) => e);
      expect((missing as { errors: Array<{ type: string }> }).errors[0]!.type).toBe("NOT_FOUND");
      expect(github.requests.every((r) => r.url === "https://ghe.example.com/api/graphql")).toBe(true);
      expect(github.problems).toEqual([]);
    } finally {
      github.stop();
    }
  });
});
