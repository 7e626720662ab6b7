import type { ContainerConfig, Policy } from "../core/config/index.js";
import { FlibsError } from "../core/errors.js";
import type { BuildPlan } from "../core/plan/dispatch.js";
import { publishCompletedCheck } from "../github/checks.js";
import { readContainerRepo } from "../github/container-repo.js";
import type { GitHubClient, RepoRef } from "../github/octokit.js";
import { REVIEW_CHECK_NAME } from "../github/review-check.js";
import { startBuild } from "./build.js";
import { reviewOutput } from "./review.js";

/**
 * Builds a commit that reached the default branch (or a release tag) untested, after reviewing it (it was
 * never a pull request's head, so it has no flibs/review): the pull request flow's own `startBuild`, with no PR
 * number. Its checks then drive the promotion that waits for it.
 */
export async function dispatchBuildOfCommit(
  octokit: GitHubClient,
  repo: RepoRef,
  args: { sha: string; dispatchRef: string; config: ContainerConfig; policy: Policy },
): Promise<BuildPlan> {
  await publishCompletedCheck(octokit, repo, { name: REVIEW_CHECK_NAME, headSha: args.sha, ...reviewOutput(await readContainerRepo(octokit, repo, args.sha)) });
  const started = await startBuild(octokit, repo, {
    id: { sha: args.sha, attempt: 1, scratch: false },
    config: args.config,
    policy: args.policy,
    dispatchRef: args.dispatchRef,
    why: `${args.sha.slice(0, 12)} is built before it is promoted: no build tested its tree.`,
  });
  if ("problem" in started) throw new FlibsError("github", started.problem);
  return started;
}
