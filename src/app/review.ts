import type { Context, Probot } from "probot";
import { CONTAINER_CONFIG_FILE } from "../core/config/index.js";
import { describeError } from "../core/errors.js";
import { escapeCell } from "../core/markdown.js";
import { dockerfilePath, review } from "../core/review/index.js";
import { publishCompletedCheck } from "../github/checks.js";
import { readFileAt } from "../github/contents.js";
import { installationOctokit, type GitHubClient, type RepoRef } from "../github/octokit.js";
import { readOrgPolicy } from "../github/policy.js";
import { REVIEW_CHECK_NAME, reviewCheckOutput } from "../github/review-check.js";

export const REVIEW_EVENTS = ["pull_request.opened", "pull_request.synchronize", "pull_request.reopened"] as const;

/**
 * Flow 1: review the PR's head commit and publish `flibs/review`. Files are read from the base repository at
 * the head SHA (GitHub serves a fork PR's commits there too); the policy from the owner's `.github` repository.
 * Whatever goes wrong before the check exists becomes a failing check that says why.
 */
export async function reviewPullRequest(app: Probot, context: Context<"pull_request">): Promise<void> {
  const repo = context.repo();
  const sha = context.payload.pull_request.head.sha;
  const octokit = await installationOctokit(app, context);
  let output;
  try {
    output = await reviewAt(octokit, repo, sha);
  } catch (e) {
    context.log.warn({ err: e, sha }, "flibs/review could not run");
    output = {
      conclusion: "failure" as const,
      title: `flibs review could not run: ${describeError(e)}`,
      summary: `❌ flibs could not review ${sha.slice(0, 12)}: ${escapeCell(describeError(e), 2000)}`,
      annotations: [],
    };
  }
  await publishCompletedCheck(octokit, repo, { name: REVIEW_CHECK_NAME, headSha: sha, ...output });
}

async function reviewAt(octokit: GitHubClient, repo: RepoRef, sha: string) {
  const [containerYaml, policy] = await Promise.all([
    readFileAt(octokit, repo, CONTAINER_CONFIG_FILE, sha),
    readOrgPolicy(octokit, repo.owner),
  ]);
  const dockerfile = await readFileAt(octokit, repo, dockerfilePath(containerYaml?.text), sha);
  const result = review({
    ...(dockerfile ? { dockerfile } : {}),
    ...(containerYaml ? { containerYaml } : {}),
    policy: policy.policy,
  });
  return reviewCheckOutput(result, { sha, problems: policy.ok ? [] : [policy.message] });
}
