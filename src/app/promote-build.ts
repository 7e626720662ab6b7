import type { ContainerConfig, Policy } from "../core/config/index.js";
import { FlibsError } from "../core/errors.js";
import { archCheckName, BUILD_CHECK, externalId, SUMMARY, type BuildId } from "../core/plan/build-id.js";
import { planBuild, type BuildPlan } from "../core/plan/dispatch.js";
import type { GitHubClient, RepoRef } from "../github/octokit.js";
import { publishCompletedCheck } from "../github/checks.js";
import { readContainerRepo } from "../github/container-repo.js";
import { REVIEW_CHECK_NAME } from "../github/review-check.js";
import { dispatchWorkflow, writeCheck } from "../github/promote.js";
import { reviewOutput } from "./review.js";

/**
 * Builds a commit that reached the default branch (or a release tag) untested: the same plan, checks and caller
 * workflow as a pull request's build, with no PR number, after reviewing it. Its checks then drive the promotion that waits for it.
 */
export async function dispatchBuildOfCommit(
  octokit: GitHubClient,
  repo: RepoRef,
  args: { sha: string; dispatchRef: string; config: ContainerConfig; policy: Policy },
): Promise<BuildPlan> {
  const id: BuildId = { sha: args.sha, attempt: 1, scratch: false };
  const plan = planBuild({ id, config: args.config, policy: args.policy });
  if (plan.arches.length === 0) throw new FlibsError("config", "container.yaml's platforms leave no arch the organisation builds");
  // A commit that was never a pull request's head was never reviewed: promotion needs flibs/review too.
  await publishCompletedCheck(octokit, repo, { name: REVIEW_CHECK_NAME, headSha: args.sha, ...reviewOutput(await readContainerRepo(octokit, repo, args.sha)) });
  const queued = (name: string, target: Parameters<typeof externalId>[1]) =>
    writeCheck(octokit, repo, args.sha, { name, status: "queued", externalId: externalId(id, target), title: "Queued", summary: `Building ${args.sha.slice(0, 12)} before it is promoted.` });
  await queued(BUILD_CHECK, SUMMARY);
  for (const arch of plan.arches) await queued(archCheckName(arch), arch);
  await dispatchWorkflow(octokit, repo, plan.workflow, args.dispatchRef, { ...plan.inputs });
  return plan;
}
