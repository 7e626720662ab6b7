import { githubError } from "./errors.js";
import type { GitHubClient, RepoRef } from "./octokit.js";

/** A pull request as flibs needs it: its head, whether it comes from a fork, its state and where it was merged. */
export interface Pull {
  number: number;
  sha: string;
  author: string;
  fromFork: boolean;
  state: string;
  merged: boolean;
  mergeCommitSha: string | null;
  base: string;
  defaultBranch: string;
}

export async function readPull(octokit: GitHubClient, repo: RepoRef, pr: number): Promise<Pull> {
  let r;
  try {
    r = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { ...repo, pull_number: pr });
  } catch (e) {
    throw githubError(e, `cannot read pull request #${pr}`);
  }
  return {
    number: r.data.number,
    sha: r.data.head.sha,
    author: r.data.user.login,
    // GitHub sends head.repo null once the fork is deleted, though its description says otherwise.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
    fromFork: r.data.head.repo?.full_name !== r.data.base.repo.full_name,
    state: r.data.state,
    merged: r.data.merged,
    mergeCommitSha: r.data.merge_commit_sha ?? null,
    base: r.data.base.ref,
    defaultBranch: r.data.base.repo.default_branch,
  };
}

export interface PullAtCommit {
  number: number;
  headSha: string;
  merged: boolean;
  mergeCommitSha: string | null;
}

/** The pull requests a commit belongs to (for a merge commit: the PR it merged). */
export async function pullsForCommit(octokit: GitHubClient, repo: RepoRef, sha: string): Promise<PullAtCommit[]> {
  try {
    const r = await octokit.request("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", { ...repo, commit_sha: sha, per_page: 10 });
    return r.data.map((p) => ({
      number: p.number,
      headSha: p.head.sha,
      merged: p.merged_at !== null,
      mergeCommitSha: p.merge_commit_sha ?? null,
    }));
  } catch (e) {
    throw githubError(e, `cannot list the pull requests of ${sha.slice(0, 12)}`);
  }
}
