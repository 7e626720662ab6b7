import { FlibsError } from "../core/errors.js";
import { githubError, statusOf } from "./errors.js";
import type { GitHubClient, RepoRef } from "./octokit.js";

export interface RepoFile {
  path: string;
  text: string;
}

/**
 * Reads a file's text at a ref (a SHA, branch or tag). Returns undefined when it does not exist there;
 * a directory, a submodule or a file too large for the contents API is a FlibsError, as is any other failure.
 * For a fork PR, the base repository serves the head SHA too, so callers pass the base repo and the head SHA.
 */
export async function readFileAt(octokit: GitHubClient, repo: RepoRef, path: string, ref: string): Promise<RepoFile | undefined> {
  if (path === "" || path.startsWith("/") || path.split("/").some((part) => part === ".." || part === "")) {
    throw new FlibsError("config", `\`${path}\` is not a path inside the repository`);
  }
  let response;
  try {
    response = await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
      ...repo,
      path,
      ref,
      mediaType: { format: "raw" },
    });
  } catch (e) {
    if (statusOf(e) === 404) return undefined;
    throw githubError(e, `cannot read ${path} at ${ref.slice(0, 12)}`);
  }
  const data: unknown = response.data;
  if (typeof data === "string") return { path, text: data };
  if (data instanceof ArrayBuffer) return { path, text: new TextDecoder().decode(data) };
  // The raw media type answers a directory or submodule with its JSON listing instead of file content.
  throw new FlibsError("github", `${path} at ${ref.slice(0, 12)} is not a regular file`);
}

/** The tree of a commit: a merge with the tree of a tested commit holds exactly what was tested. */
export async function commitTree(octokit: GitHubClient, repo: RepoRef, sha: string): Promise<string> {
  try {
    const r = await octokit.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", { ...repo, commit_sha: sha });
    return r.data.tree.sha;
  } catch (e) {
    throw githubError(e, `cannot read commit ${sha.slice(0, 12)}`);
  }
}

/**
 * The commit a full ref (`refs/tags/v1.2.3`, `refs/heads/main`) points at, and its tree; an annotated tag is
 * peeled to its commit. GitHub names refs here as `tags/<name>` and `heads/<name>`.
 */
export async function resolveCommit(octokit: GitHubClient, repo: RepoRef, ref: string): Promise<{ sha: string; tree: string }> {
  try {
    const r = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}", { ...repo, ref: ref.replace(/^refs\//, "") });
    return { sha: r.data.sha, tree: r.data.commit.tree.sha };
  } catch (e) {
    throw githubError(e, `cannot resolve ${ref}`);
  }
}
