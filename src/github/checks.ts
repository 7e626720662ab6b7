import { describeError, FlibsError } from "../core/errors.js";
import { GITHUB_MARKDOWN_LIMIT, escapeCell, truncateMarkdown } from "../core/markdown.js";
import type { GitHubClient, RepoRef } from "./octokit.js";
import type { CheckAnnotation } from "./review-check.js";

/** GitHub takes at most 50 annotations per create or update request. */
export const ANNOTATIONS_PER_REQUEST = 50;

export interface CompletedCheck {
  name: string;
  headSha: string;
  conclusion: "success" | "failure" | "neutral" | "cancelled" | "skipped" | "timed_out" | "action_required";
  title: string;
  summary: string;
  annotations?: readonly CheckAnnotation[];
  externalId?: string;
  detailsUrl?: string;
}

/**
 * Publishes a check run that is already completed: one create request carrying the conclusion and the first
 * 50 annotations (so a check is never left in progress), then one update per further 50 annotations. If an
 * update fails, the check is turned into a failure that says why, and a FlibsError is thrown.
 */
export async function publishCompletedCheck(octokit: GitHubClient, repo: RepoRef, check: CompletedCheck): Promise<{ id: number }> {
  const annotations = check.annotations ?? [];
  const title = check.title.slice(0, 255) || check.name;
  const summary = truncateMarkdown(check.summary, GITHUB_MARKDOWN_LIMIT);
  const created = await octokit.request("POST /repos/{owner}/{repo}/check-runs", {
    ...repo,
    name: check.name,
    head_sha: check.headSha,
    status: "completed",
    conclusion: check.conclusion,
    completed_at: new Date().toISOString(),
    ...(check.externalId ? { external_id: check.externalId } : {}),
    ...(check.detailsUrl ? { details_url: check.detailsUrl } : {}),
    output: { title, summary, annotations: annotations.slice(0, ANNOTATIONS_PER_REQUEST) },
  });
  const id = Number(created.data.id);
  for (let start = ANNOTATIONS_PER_REQUEST; start < annotations.length; start += ANNOTATIONS_PER_REQUEST) {
    try {
      await octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
        ...repo,
        check_run_id: id,
        output: { title, summary, annotations: annotations.slice(start, start + ANNOTATIONS_PER_REQUEST) },
      });
    } catch (e) {
      const reason = `could not publish annotations ${start + 1}-${annotations.length} of ${annotations.length}: ${describeError(e)}`;
      await octokit
        .request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
          ...repo,
          check_run_id: id,
          conclusion: "failure",
          output: { title: "flibs could not publish every finding", summary: truncateMarkdown(`${summary}\n\n❌ ${escapeCell(reason, 1000)}`) },
        })
        .catch(() => undefined);
      throw new FlibsError("github", reason, { cause: e });
    }
  }
  return { id };
}
