/**
 * Check run ids outgrew 32 bits (a job's check run on github.com is numbered in the tens of billions), and
 * GraphQL's `Int` is 32-bit: `CheckRun.databaseId` cannot carry them (graphql-js refuses, as the spec says).
 * The commit read takes each id from the check run's `resourcePath` instead.
 */
import { Octokit } from "@octokit/rest";
import { describe, expect, test } from "vitest";
import { readCommitState } from "../../src/github/commit-state.js";
import type { GitHubClient } from "../../src/github/octokit.js";
import { FakeGitHub, TEST_APP_ID } from "../helpers/github.js";

const SHA = "c".repeat(40);

describe("reading a commit's checks", () => {
  test("keeps check run ids above 2^31 whole", async () => {
    const github = new FakeGitHub().start();
    try {
      github.repoFiles("my-org/app", { Dockerfile: "FROM registry.fedoraproject.org/fedora:41\n" }).repoFiles("my-org/.github", {});
      github.addCheckRun({ repo: "my-org/app", head_sha: SHA, name: "build / build (x86_64) x", app_id: 15368, id: 38_123_456_789 });
      github.addCheckRun({
        repo: "my-org/app",
        head_sha: SHA,
        name: "flibs/build",
        app_id: TEST_APP_ID,
        id: 38_123_456_790,
        external_id: "flibs:gate:" + SHA,
      });
      github.on("GET /repos/{owner}/{repo}/contents/{path}", { status: 404, body: { message: "Not Found" } });
      const octokit = new Octokit({ auth: "t", request: { retries: 0 } }) as unknown as GitHubClient;
      const state = await readCommitState(octokit, { owner: "my-org", repo: "app" }, SHA);
      expect(state.checks.map((c) => [c.id, c.name])).toEqual([
        [38_123_456_789, "build / build (x86_64) x"],
        [38_123_456_790, "flibs/build"],
      ]);
      expect(github.problems).toEqual([]);
    } finally {
      github.stop();
    }
  });
});
