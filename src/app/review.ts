import { describeError } from "../core/errors.js";
import { escapeCell } from "../core/markdown.js";
import { review } from "../core/review/index.js";
import { REVIEW_CHECK_NAME, reviewCheckOutput } from "../core/report/review-check.js";
import type { RepoFile } from "../github/contents.js";
import { writeCheck } from "../github/checks.js";
import type { PolicyRead } from "../github/policy.js";
import type { Scope } from "./scope.js";

/** A container repo at a commit, as read once for an event (src/github/commit-state.ts). */
export interface ReviewedCommit {
  sha: string;
  containerYaml?: RepoFile;
  dockerfile?: RepoFile;
  policy: PolicyRead;
}

/** Publishes `flibs/review` for files already read: the core's rendering, with the rule reference configured. */
export async function publishReview(scope: Scope, at: ReviewedCommit): Promise<void> {
  const result = review({
    ...(at.dockerfile ? { dockerfile: at.dockerfile } : {}),
    ...(at.containerYaml ? { containerYaml: at.containerYaml } : {}),
    policy: at.policy.policy,
  });
  const out = reviewCheckOutput(result, {
    sha: at.sha,
    problems: at.policy.ok ? [] : [at.policy.message],
    ...(scope.docsUrl ? { docsUrl: scope.docsUrl } : {}),
  });
  await writeCheck(scope.octokit, scope.repo, { sha: at.sha }, { name: REVIEW_CHECK_NAME, status: "completed", ...out });
}

/** What is published when the commit could not even be read: a failing review that says why. */
export async function publishReviewFailure(scope: Scope, sha: string, e: unknown): Promise<void> {
  scope.log.warn({ err: e, sha }, "flibs/review could not run");
  await writeCheck(
    scope.octokit,
    scope.repo,
    { sha },
    {
      name: REVIEW_CHECK_NAME,
      status: "completed",
      conclusion: "failure",
      title: `flibs review could not run: ${describeError(e)}`,
      summary: `❌ flibs could not review ${sha.slice(0, 12)}: ${escapeCell(describeError(e), 2000)}. This is not the pull request's doing; a Re-run of this check tries again.`,
    },
  );
}
