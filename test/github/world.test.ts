/**
 * The test world answers as GitHub does: what every App suite and the bench rely on, each a behaviour the suites'
 * own copies had drifted from (a reaction answered 201 on a repeat, a made-up SHA for every file).
 */
import { Octokit } from "@octokit/rest";
import { describe, expect, test } from "vitest";
import { useWorld } from "../helpers/world.js";

const world = useWorld({ runners: [] });
const REPO = "my-org/hello";
const client = () => new Octokit({ auth: "test-token", log: { debug() {}, info() {}, warn() {}, error() {} } });
const status = async (p: Promise<unknown>) => {
  try {
    return ((await p) as { status: number }).status;
  } catch (e) {
    return (e as { status: number }).status;
  }
};

describe("the test world", () => {
  test("a reaction is created once (201), then found (200), as GitHub answers the same reaction again", async () => {
    const react = (content: "eyes" | "rocket") =>
      status(
        client().request("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", {
          owner: "my-org",
          repo: "hello",
          comment_id: 7,
          content,
        }),
      );
    expect([await react("eyes"), await react("eyes"), await react("rocket"), await react("eyes")]).toEqual([201, 200, 201, 200]);
  });

  test("roles: the permission API's legacy permission next to the role; no access is a 404; unknown people read", async () => {
    world.role("mona", "maintain").role("tri", "triage").role("gone", "none", REPO);
    const permission = async (username: string) => {
      try {
        return (
          await client().request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", {
            owner: "my-org",
            repo: "hello",
            username,
          })
        ).data;
      } catch (e) {
        return (e as { status: number }).status;
      }
    };
    expect(await permission("mona")).toMatchObject({ permission: "write", role_name: "maintain" });
    expect(await permission("tri")).toMatchObject({ permission: "read", role_name: "triage" });
    expect(await permission("gone")).toBe(404);
    expect(await permission("someone")).toMatchObject({ permission: "read" });
  });

  test("files are served at each commit, trees and tags are git's, pulls know their heads and merges", async () => {
    const main = await world.repo(REPO, { Dockerfile: "FROM a\n" });
    const head = await world.commit({ Dockerfile: "FROM b\n" }, { branch: "pr-3" });
    world.pull({ number: 3, head, author: "mona" });
    const file = async (ref: string) =>
      (
        await client().request("GET /repos/{owner}/{repo}/contents/{path}", {
          owner: "my-org",
          repo: "hello",
          path: "Dockerfile",
          ref,
          headers: { accept: "application/vnd.github.raw+json" },
        })
      ).data as unknown as string;
    expect([await file(main), await file(head), await file("main")]).toEqual(["FROM a\n", "FROM b\n", "FROM a\n"]);
    const merge = await world.commit({ Dockerfile: "FROM b\n" }, { message: "Merge pull request #3" });
    await world.tag("v1.0.0", merge);
    world.merge(3, merge);
    const tree = (
      await client().request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", { owner: "my-org", repo: "hello", commit_sha: merge })
    ).data.tree.sha;
    expect(tree).toBe(await world.tree(head));
    expect(
      (await client().request("GET /repos/{owner}/{repo}/commits/{ref}", { owner: "my-org", repo: "hello", ref: "tags/v1.0.0" })).data.sha,
    ).toBe(merge);
    const pulls = (
      await client().request("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", { owner: "my-org", repo: "hello", commit_sha: merge })
    ).data;
    expect(pulls.map((p) => [p.number, p.head.sha, p.merge_commit_sha])).toEqual([[3, head, merge]]);
    expect(
      (await client().request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner: "my-org", repo: "hello", pull_number: 3 })).data,
    ).toMatchObject({ state: "closed", merged: true, merge_commit_sha: merge });
    expect(
      await status(client().request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner: "my-org", repo: "hello", pull_number: 4 })),
    ).toBe(404);
  });

  test("the App is itself (GET /app), and a dispatch of the shipped caller starts a run GitHub answers with its id", async () => {
    world.policy("registries:\n  candidate: registry.example.com/c\n  stable: registry.example.com/s\n");
    const main = await world.repo(REPO, {});
    expect((await client().request("GET /app")).data).toMatchObject({ id: world.app.id, slug: "flibs" });
    const inputs = { sha: main, arches: '["x86_64"]', build_id: `${main}.1`, policy: "{}" };
    const r = await client().request("POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches", {
      owner: "my-org",
      repo: "hello",
      workflow_id: "flibs.yml",
      ref: "main",
      inputs,
      return_run_details: true,
    });
    const run = world.buildRun(`${main}.1`);
    expect(r).toMatchObject({ status: 200, data: { workflow_run_id: run.id } });
    // The run is the App's own: triggered by its bot, as GitHub records who dispatched.
    expect(run.actor).toBe("flibs[bot]");
    // An input the caller does not declare is refused, as GitHub does.
    expect(
      await status(
        client().request("POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches", {
          owner: "my-org",
          repo: "hello",
          workflow_id: "flibs.yml",
          ref: "main",
          inputs: { ...inputs, runner_labels: "{}" },
        }),
      ),
    ).toBe(422);
  });
});
