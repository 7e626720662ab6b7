import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import type { Probot } from "probot";
import { createTestApp, examplePayload, useFakeGitHub } from "../helpers/github.js";

// Probot's write throttle (one write a second per key) is on in these tests. Its limiter groups live for the
// whole test process, so every test uses installation ids no other test uses.
const github = useFakeGitHub();
const dockerfile = readFileSync(new URL("../fixtures/webhooks/good/Dockerfile", import.meta.url), "utf8");

function serve(repos: string[]) {
  for (const r of repos) github.repoFiles(r, { Dockerfile: dockerfile });
  github.repoFiles("my-org/.github", {}).acceptCheckRuns();
}

const opened = (repo: string, installationId: number) =>
  examplePayload("pull_request", "opened", { repo, installationId, headSha: "c".repeat(40) });

/** When each check-run create reaches the fake GitHub from now on (the request then goes on to `acceptCheckRuns`). */
function writeTimes(): number[] {
  const at: number[] = [];
  github.on("POST /repos/{owner}/{repo}/check-runs", () => {
    at.push(performance.now());
    return undefined;
  });
  return at;
}

describe("writes are throttled per installation", () => {
  test("two installations' check runs do not wait for each other", async () => {
    serve(["my-org/a", "my-org/b", "my-org/c"]);
    const app = await createTestApp({ throttle: true });
    // Warm-up on a third installation: the first event pays for loading, signing and the fake's validators.
    await app.receive("pull_request", opened("my-org/c", 9100));
    const at = writeTimes();
    // Each event reads its commit (GraphQL, on the installation's read key) then writes its check run: the
    // first write of each installation goes at once, so the two writes reach GitHub together. (The gap, not
    // the wall time, is measured: it does not grow with the machine's load.)
    await Promise.all([app.receive("pull_request", opened("my-org/a", 9101)), app.receive("pull_request", opened("my-org/b", 9102))]);
    expect(
      github
        .writes()
        .map((w) => w.installationId)
        .sort(),
    ).toEqual([9100, 9101, 9102]);
    expect(at).toHaveLength(2);
    expect(at[1]! - at[0]!).toBeLessThan(500);
  });

  test("an event's GraphQL read does not queue behind its installation's writes", async () => {
    serve(["my-org/a"]);
    const app = await createTestApp({ throttle: true });
    // Three writes queued on one installation (about two seconds of spacing), then an event whose read must
    // be answered at once: GraphQL queries are reads, the plugin would otherwise space them like writes.
    const octokit = await app.probot.auth(9106);
    const queued = Promise.all(
      [1, 2, 3].map((n) =>
        octokit.request("POST /repos/{owner}/{repo}/check-runs", {
          owner: "my-org",
          repo: "a",
          name: `queued ${n}`,
          head_sha: "d".repeat(40),
        }),
      ),
    );
    const readAt = new Promise<number>((resolve) => {
      const t = performance.now();
      github.onGraphql(() => {
        resolve(performance.now() - t);
        return undefined;
      });
    });
    const event = app.receive("pull_request", opened("my-org/a", 9106));
    expect(await readAt).toBeLessThan(800);
    await Promise.all([queued, event]);
    expect(github.writes().filter((w) => w.installationId === 9106)).toHaveLength(4);
  });

  test("one installation's writes are spaced a second apart, as GitHub asks", async () => {
    serve(["my-org/a", "my-org/b"]);
    const app = await createTestApp({ throttle: true });
    const at = writeTimes();
    await Promise.all([app.receive("pull_request", opened("my-org/a", 9103)), app.receive("pull_request", opened("my-org/b", 9103))]);
    expect(github.writes()).toHaveLength(2);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(900);
  });

  test("whereas stock context.octokit shares one key across installations (why src/github/octokit.ts exists)", async () => {
    serve(["my-org/a", "my-org/b"]);
    const stock = (app: Probot) => {
      app.on("pull_request.opened", async (context) => {
        await context.octokit.request("POST /repos/{owner}/{repo}/check-runs", {
          ...context.repo(),
          name: "stock",
          head_sha: context.payload.pull_request.head.sha,
        });
      });
    };
    const app = await createTestApp({ throttle: true, appFn: stock });
    const at = writeTimes();
    await Promise.all([app.receive("pull_request", opened("my-org/a", 9104)), app.receive("pull_request", opened("my-org/b", 9105))]);
    expect(
      github
        .writes()
        .map((w) => w.installationId)
        .sort(),
    ).toEqual([9104, 9105]);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(900);
  });
});
