import type { Permission } from "../core/config/policy.js";
import { effectivePermission } from "../core/permissions.js";
import { githubError, statusOf } from "./errors.js";
import type { GitHubClient, RepoRef } from "./octokit.js";

/** The user's permission on the repository, from GitHub (never from author_association); none for a stranger. */
export async function readPermission(octokit: GitHubClient, repo: RepoRef, user: string): Promise<Permission | "none"> {
  try {
    const r = await octokit.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", { ...repo, username: user });
    return effectivePermission(r.data);
  } catch (e) {
    if (statusOf(e) === 404) return "none";
    throw githubError(e, `cannot read ${user}'s permission on ${repo.owner}/${repo.repo}`);
  }
}
