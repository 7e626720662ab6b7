import { describeError, FlibsError } from "../core/errors.js";
import { escapeCell, GITHUB_MARKDOWN_LIMIT, truncateMarkdown } from "../core/markdown.js";
import type { CheckView } from "../core/plan/builds.js";
import type { CheckPatch, CheckWrite } from "../core/report/check.js";
import { githubError } from "./errors.js";
import { ownAppId, type GitHubClient, type RepoRef } from "./octokit.js";

/** GitHub takes at most 50 annotations per create or update request. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** GitHub's limit for a check run's title. */
const TITLE_LIMIT = 255;

/** A check run as the REST listing gives it: what flibs reads back (its summary holds flibs' markers). */
export interface CheckRecord extends CheckView {
  head_sha: string;
  summary: string | null;
  text: string | null;
  details_url: string | null;
}

/**
 * The commit's check runs written by this App (every attempt), optionally of one name, at most 100. REST, because
 * it returns the outputs (and 64-bit ids) GraphQL would not.
 */
export async function listChecks(octokit: GitHubClient, repo: RepoRef, sha: string, name?: string): Promise<CheckRecord[]> {
  const appId = await ownAppId(octokit);
  let r;
  try {
    r = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", {
      ...repo,
      ref: sha,
      filter: "all",
      per_page: 100,
      ...(name ? { check_name: name } : {}),
      ...(appId === undefined ? {} : { app_id: appId }),
    });
  } catch (e) {
    throw githubError(e, `cannot list the check runs of ${sha.slice(0, 12)}`);
  }
  return r.data.check_runs.map((c) => ({
    id: Number(c.id),
    name: c.name,
    status: c.status,
    conclusion: c.conclusion,
    external_id: c.external_id,
    completed_at: c.completed_at ?? null,
    head_sha: c.head_sha,
    details_url: c.details_url ?? null,
    summary: c.output.summary ?? null,
    text: c.output.text ?? null,
  }));
}

/**
 * The one check writer: creates a check run on a commit (`{ sha }`) or updates one (`{ id }`) in one request,
 * with its first 50 annotations, then one update per further 50. Titles are cut at GitHub's 255 characters and
 * summaries at its 65,535 (at a line, with a note), the same way for every check. A completed check gets its
 * completion time. If a later batch of annotations fails, the check becomes a failure that says so.
 */
export async function writeCheck(
  octokit: GitHubClient,
  repo: RepoRef,
  target: { sha: string } | { id: number },
  w: CheckWrite | CheckPatch,
): Promise<number> {
  const annotations = w.annotations ?? [];
  const output =
    w.title !== undefined && w.summary !== undefined
      ? {
          title: w.title.slice(0, TITLE_LIMIT) || ("name" in w ? w.name : "flibs"),
          summary: truncateMarkdown(w.summary, GITHUB_MARKDOWN_LIMIT),
        }
      : undefined;
  const body = {
    status: w.status,
    ...(w.status === "completed" ? { conclusion: w.conclusion ?? "neutral", completed_at: w.completedAt ?? new Date().toISOString() } : {}),
    ...(w.startedAt ? { started_at: w.startedAt } : {}),
    ...(w.externalId !== undefined ? { external_id: w.externalId } : {}),
    ...(w.detailsUrl ? { details_url: w.detailsUrl } : {}),
    ...(output ? { output: { ...output, ...(w.annotations ? { annotations: annotations.slice(0, ANNOTATIONS_PER_REQUEST) } : {}) } } : {}),
  };
  let id: number;
  try {
    if ("sha" in target) {
      const name = "name" in w && w.name ? w.name : undefined;
      if (!name) throw new FlibsError("internal", "a check run is created with a name");
      const r = await octokit.request("POST /repos/{owner}/{repo}/check-runs", { ...repo, head_sha: target.sha, name, ...body });
      id = Number(r.data.id);
    } else {
      await octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", { ...repo, check_run_id: target.id, ...body });
      id = target.id;
    }
  } catch (e) {
    throw githubError(e, `cannot write check run ${"name" in w && w.name ? w.name : ""}`.trim());
  }
  for (let start = ANNOTATIONS_PER_REQUEST; output && start < annotations.length; start += ANNOTATIONS_PER_REQUEST) {
    try {
      await octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
        ...repo,
        check_run_id: id,
        output: { ...output, annotations: annotations.slice(start, start + ANNOTATIONS_PER_REQUEST) },
      });
    } catch (e) {
      const reason = `could not publish annotations ${start + 1}-${annotations.length} of ${annotations.length}: ${describeError(e)}`;
      await octokit
        .request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
          ...repo,
          check_run_id: id,
          conclusion: "failure",
          output: {
            title: "flibs could not publish every finding",
            summary: truncateMarkdown(`${output.summary}\n\n❌ ${escapeCell(reason, 1000)}`),
          },
        })
        .catch(() => undefined);
      throw githubError(e, reason);
    }
  }
  return id;
}
