import type { Context, Probot } from "probot";
import { describeError } from "../core/errors.js";
import { escapeCell } from "../core/markdown.js";
import { review } from "../core/review/index.js";
import { publishCompletedCheck } from "../github/checks.js";
import { readContainerRepo, type ContainerRepoAt } from "../github/container-repo.js";
import { installationOctokit } from "../github/octokit.js";
import { REVIEW_CHECK_NAME, reviewCheckOutput, type CheckOutput } from "../github/review-check.js";

export const REVIEW_EVENTS = ["pull_request.opened", "pull_request.synchronize", "pull_request.reopened"] as const;

/**
 * Flow 1: review the PR's head commit and publish `flibs/review`. Files are read from the base repository at
 * the head SHA (GitHub serves a fork PR's commits there too); the policy from the owner's `.github` repository.
 * Whatever goes wrong before the check exists becomes a failing check that says why.
 */
export async function reviewPullRequest(app: Probot, context: Context<"pull_request">): Promise<ContainerRepoAt | undefined> {
  const repo = context.repo();
  const sha = context.payload.pull_request.head.sha;
  const octokit = await installationOctokit(app, context);
  let output: CheckOutput;
  let at: ContainerRepoAt | undefined;
  try {
    at = await readContainerRepo(octokit, repo, sha);
    output = reviewOutput(at);
  } catch (e) {
    context.log.warn({ err: e, sha }, "flibs/review could not run");
    output = couldNotRun(sha, e);
  }
  await publishCompletedCheck(octokit, repo, { name: REVIEW_CHECK_NAME, headSha: sha, ...output });
  return at;
}

/** The review check for files already read. */
export function reviewOutput(at: ContainerRepoAt): CheckOutput {
  const result = review({
    ...(at.dockerfile ? { dockerfile: at.dockerfile } : {}),
    ...(at.containerYaml ? { containerYaml: at.containerYaml } : {}),
    policy: at.policy.policy,
  });
  return reviewCheckOutput(result, { sha: at.sha, problems: at.policy.ok ? [] : [at.policy.message] });
}

function couldNotRun(sha: string, e: unknown): CheckOutput {
  return {
    conclusion: "failure",
    title: `flibs review could not run: ${describeError(e)}`,
    summary: `❌ flibs could not review ${sha.slice(0, 12)}: ${escapeCell(describeError(e), 2000)}`,
    annotations: [],
  };
}
