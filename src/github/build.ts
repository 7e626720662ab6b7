import { FlibsError } from "../core/errors.js";
import { findBuildId, formatBuildId, type BuildId } from "../core/plan/build-id.js";
import type { CheckView } from "../core/plan/builds.js";
import type { CheckUpdate } from "../core/report/job-check.js";
import { ownAppId, type GitHubClient, type RepoRef } from "./octokit.js";

/** A check run with its output, as the REST listing gives it (the report needs the summary's plan marker). */
export interface CheckWithOutput extends CheckView {
  summary: string | null;
  text: string | null;
  head_sha: string;
  details_url: string | null;
}

/**
 * The commit's check runs written by this App (every attempt), optionally of one name, at most 100. REST,
 * because it returns the outputs GraphQL would make heavy.
 */
export async function listChecks(octokit: GitHubClient, repo: RepoRef, sha: string, name?: string): Promise<CheckWithOutput[]> {
  const appId = await ownAppId(octokit);
  const r = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", {
    ...repo,
    ref: sha,
    filter: "all",
    per_page: 100,
    ...(name ? { check_name: name } : {}),
    ...(appId === undefined ? {} : { app_id: appId }),
  });
  return r.data.check_runs.map((c) => ({
    id: Number(c.id),
    name: c.name,
    status: c.status,
    conclusion: c.conclusion,
    external_id: c.external_id,
    head_sha: c.head_sha,
    details_url: c.details_url ?? null,
    summary: c.output?.summary ?? null,
    text: c.output?.text ?? null,
  }));
}

export interface BuildCheck {
  name: string;
  externalId: string;
  title: string;
  summary: string;
  detailsUrl?: string;
}

type Conclusion = NonNullable<CheckUpdate["conclusion"]>;

/** Creates a check run in a state (queued, in progress, or completed with a conclusion). */
export async function createCheck(
  octokit: GitHubClient,
  repo: RepoRef,
  sha: string,
  check: BuildCheck & { status: "queued" | "in_progress" | "completed"; conclusion?: Conclusion; startedAt?: string; completedAt?: string },
): Promise<number> {
  const r = await octokit.request("POST /repos/{owner}/{repo}/check-runs", {
    ...repo,
    head_sha: sha,
    name: check.name,
    external_id: check.externalId,
    status: check.status,
    ...(check.status === "completed" ? { conclusion: check.conclusion ?? "neutral", completed_at: check.completedAt ?? new Date().toISOString() } : {}),
    ...(check.startedAt ? { started_at: check.startedAt } : {}),
    ...(check.detailsUrl ? { details_url: check.detailsUrl } : {}),
    output: { title: check.title.slice(0, 255), summary: check.summary.slice(0, 65_000) },
  });
  return Number(r.data.id);
}

/** Moves a check run (status, conclusion, link, times) and optionally replaces its output. */
export async function updateCheck(
  octokit: GitHubClient,
  repo: RepoRef,
  id: number,
  update: CheckUpdate & { output?: { title: string; summary: string } },
): Promise<void> {
  const { output, ...rest } = update;
  await octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
    ...repo,
    check_run_id: id,
    ...rest,
    ...(rest.status === "completed" && !rest.completed_at ? { completed_at: new Date().toISOString() } : {}),
    ...(output ? { output: { title: output.title.slice(0, 255), summary: output.summary.slice(0, 65_000) } } : {}),
  });
}

export type Reaction = "+1" | "rocket" | "eyes" | "confused";

export async function react(octokit: GitHubClient, repo: RepoRef, commentId: number, content: Reaction): Promise<void> {
  await octokit.request("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", { ...repo, comment_id: commentId, content });
}

/**
 * Marks a comment as seen with an "eyes" reaction. GitHub answers 201 when it created the reaction and 200 when
 * this App had already reacted so: a redelivered (or concurrently duplicated) comment is acted on once.
 */
export async function acknowledge(octokit: GitHubClient, repo: RepoRef, commentId: number): Promise<boolean> {
  const r = await octokit.request("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", { ...repo, comment_id: commentId, content: "eyes" });
  return r.status === 201;
}

export async function reply(octokit: GitHubClient, repo: RepoRef, issue: number, body: string): Promise<void> {
  await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...repo, issue_number: issue, body: body.slice(0, 65_000) });
}

export interface PullHead {
  sha: string;
  fromFork: boolean;
  author: string;
  state: string;
}

export async function readPullHead(octokit: GitHubClient, repo: RepoRef, pr: number): Promise<PullHead> {
  const r = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { ...repo, pull_number: pr });
  return {
    sha: r.data.head.sha,
    fromFork: r.data.head.repo?.full_name !== r.data.base.repo.full_name,
    author: r.data.user.login,
    state: r.data.state,
  };
}

/**
 * Cancels the caller workflow's not yet completed runs of these builds (found by the build id in their
 * run-name). Returns the ids of the runs cancelled.
 */
export async function cancelRunningBuilds(octokit: GitHubClient, repo: RepoRef, workflow: string, builds: ReadonlyArray<{ id: BuildId }>): Promise<number[]> {
  if (builds.length === 0) return [];
  const ours = new Set(builds.map((b) => formatBuildId(b.id)));
  const r = await octokit.request("GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs", { ...repo, workflow_id: workflow, event: "workflow_dispatch", per_page: 100 });
  const running = r.data.workflow_runs.filter((run) => {
    const id = findBuildId(run.display_title ?? run.name ?? "");
    return run.status !== "completed" && id !== undefined && ours.has(formatBuildId(id));
  });
  for (const run of running) await cancelRun(octokit, repo, Number(run.id));
  return running.map((run) => Number(run.id));
}

async function cancelRun(octokit: GitHubClient, repo: RepoRef, runId: number): Promise<void> {
  try {
    await octokit.request("POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel", { ...repo, run_id: runId });
  } catch (e) {
    // 409: the run finished in the meantime; nothing left to cancel.
    if ((e as { status?: number }).status === 409) return;
    throw new FlibsError("github", `cannot cancel run ${runId}`, { cause: e });
  }
}
