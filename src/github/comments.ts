import { githubError } from "./errors.js";
import type { GitHubClient, RepoRef } from "./octokit.js";

export type Reaction = "+1" | "rocket" | "eyes" | "confused";

export async function react(octokit: GitHubClient, repo: RepoRef, commentId: number, content: Reaction): Promise<void> {
  try {
    await octokit.request("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", { ...repo, comment_id: commentId, content });
  } catch (e) {
    throw githubError(e, `cannot react to comment ${commentId}`);
  }
}

/**
 * Marks a comment as seen with an "eyes" reaction. GitHub answers 201 when it created the reaction and 200 when
 * this App had already reacted so: a redelivered (or concurrently duplicated) comment is acted on once.
 */
export async function acknowledge(octokit: GitHubClient, repo: RepoRef, commentId: number): Promise<boolean> {
  try {
    const r = await octokit.request("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", {
      ...repo,
      comment_id: commentId,
      content: "eyes",
    });
    return r.status === 201;
  } catch (e) {
    throw githubError(e, `cannot react to comment ${commentId}`);
  }
}

export async function reply(octokit: GitHubClient, repo: RepoRef, issue: number, body: string): Promise<void> {
  try {
    await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
      ...repo,
      issue_number: issue,
      body: body.slice(0, 65_000),
    });
  } catch (e) {
    throw githubError(e, `cannot reply on #${issue}`);
  }
}
