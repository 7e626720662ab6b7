import { effectivePermission } from "../core/permissions.js";
import type { Permission } from "../core/config/policy.js";
import { FlibsError } from "../core/errors.js";
import type { CheckRunView } from "../core/promote/tested-build.js";
import { listChecks } from "./build.js";
import type { GitHubClient, RepoRef } from "./octokit.js";

/** The App's check runs of a commit (all attempts: the core picks the newest per name), at most 100. */
export async function listCheckRuns(octokit: GitHubClient, repo: RepoRef, sha: string): Promise<CheckRunView[]> {
  return (await listChecks(octokit, repo, sha)).map((c) => ({
    id: c.id,
    name: c.name,
    status: c.status,
    conclusion: c.conclusion,
    external_id: c.external_id,
    output: { summary: c.summary, text: c.text },
  }));
}

export interface PullAtCommit {
  number: number;
  headSha: string;
  merged: boolean;
  mergeCommitSha: string | null;
}

/** The pull requests a commit belongs to (for a merge commit: the PR it merged). */
export async function pullsForCommit(octokit: GitHubClient, repo: RepoRef, sha: string): Promise<PullAtCommit[]> {
  const r = await octokit.request("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", { ...repo, commit_sha: sha, per_page: 10 });
  return r.data.map((p) => ({ number: p.number, headSha: p.head.sha, merged: p.merged_at !== null, mergeCommitSha: p.merge_commit_sha ?? null }));
}

export async function commitTree(octokit: GitHubClient, repo: RepoRef, sha: string): Promise<string> {
  const r = await octokit.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", { ...repo, commit_sha: sha });
  return r.data.tree.sha;
}

/**
 * The commit a full ref (`refs/tags/v1.2.3`, `refs/heads/main`) points at, and its tree; an annotated tag is
 * peeled to its commit. GitHub names refs here as `tags/<name>` and `heads/<name>`.
 */
export async function resolveCommit(octokit: GitHubClient, repo: RepoRef, ref: string): Promise<{ sha: string; tree: string }> {
  const r = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}", { ...repo, ref: ref.replace(/^refs\//, "") });
  return { sha: r.data.sha, tree: r.data.commit.tree.sha };
}

export async function readPullRequest(octokit: GitHubClient, repo: RepoRef, pr: number) {
  const r = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { ...repo, pull_number: pr });
  return {
    merged: r.data.merged,
    mergeCommitSha: r.data.merge_commit_sha,
    base: r.data.base.ref,
    defaultBranch: r.data.base.repo.default_branch,
  };
}

/** The user's permission on the repository, from GitHub (never from author_association). */
export async function readPermission(octokit: GitHubClient, repo: RepoRef, user: string): Promise<Permission | "none"> {
  try {
    const r = await octokit.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", { ...repo, username: user });
    return effectivePermission(r.data);
  } catch (e) {
    if ((e as { status?: number }).status === 404) return "none";
    throw new FlibsError("github", `cannot read ${user}'s permission on ${repo.owner}/${repo.repo}`, { cause: e });
  }
}

export interface CheckWrite {
  name: string;
  status: "queued" | "in_progress" | "completed";
  conclusion?: "success" | "failure" | "cancelled" | "neutral";
  externalId: string;
  title: string;
  summary: string;
  detailsUrl?: string;
}

/** Creates a check run on `sha`, or updates `id` when given: one write either way. */
export async function writeCheck(octokit: GitHubClient, repo: RepoRef, sha: string, check: CheckWrite, id?: number): Promise<number> {
  const body = {
    name: check.name,
    status: check.status,
    external_id: check.externalId,
    output: { title: check.title.slice(0, 255), summary: check.summary.slice(0, 65_000) },
    ...(check.status === "completed" ? { conclusion: check.conclusion ?? "neutral", completed_at: new Date().toISOString() } : {}),
    ...(check.detailsUrl ? { details_url: check.detailsUrl } : {}),
  };
  if (id !== undefined) {
    await octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", { ...repo, check_run_id: id, ...body });
    return id;
  }
  const r = await octokit.request("POST /repos/{owner}/{repo}/check-runs", { ...repo, head_sha: sha, ...body });
  return Number(r.data.id);
}

function messageOf(e: unknown): string {
  const status = (e as { status?: number }).status;
  const message = e instanceof Error ? (e.message.split("\n")[0] ?? "") : String(e);
  return status ? `GitHub answered ${status}${message ? ` (${message})` : ""}` : message;
}
