import { FlibsError } from "../core/errors.js";
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
    const status = (e as { status?: number }).status;
    if (status === 404) return undefined;
    throw new FlibsError("github", `cannot read ${path} at ${ref.slice(0, 12)}: ${describe(e)}`, { cause: e });
  }
  const data: unknown = response.data;
  if (typeof data === "string") return { path, text: data };
  if (data instanceof ArrayBuffer) return { path, text: new TextDecoder().decode(data) };
  // The raw media type answers a directory or submodule with its JSON listing instead of file content.
  throw new FlibsError("github", `${path} at ${ref.slice(0, 12)} is not a regular file`);
}

function describe(e: unknown): string {
  const status = (e as { status?: number }).status;
  const message = e instanceof Error ? e.message.split("\n")[0] : String(e);
  return status ? `GitHub answered ${status}${message ? ` (${message})` : ""}` : (message ?? "unknown error");
}
