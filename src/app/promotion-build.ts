import type { ContainerConfig, Policy } from "../core/config/index.js";
import { FlibsError } from "../core/errors.js";
import type { BuildPlan } from "../core/plan/dispatch.js";
import { readCommitState } from "../github/commit-state.js";
import { publishReview } from "./review.js";
import type { Scope } from "./scope.js";
import { startBuild } from "./start-build.js";

/**
 * Builds a commit that reached the default branch (or a release tag) untested, after reviewing it (it was never a
 * pull request's head, so it has no flibs/review): the pull request flow's own `startBuild`, with no PR number.
 * Its checks then drive the promotion that waits for it.
 */
export async function buildOfCommit(
  scope: Scope,
  a: { sha: string; dispatchRef: string; config: ContainerConfig; policy: Policy },
): Promise<BuildPlan> {
  await publishReview(scope, await readCommitState(scope.octokit, scope.repo, a.sha));
  const started = await startBuild(scope, {
    id: { sha: a.sha, attempt: 1, scratch: false },
    config: a.config,
    policy: a.policy,
    dispatchRef: a.dispatchRef,
    why: `${a.sha.slice(0, 12)} is built before it is promoted: no build tested its tree.`,
  });
  if ("problem" in started) throw new FlibsError("github", started.problem);
  return started;
}
