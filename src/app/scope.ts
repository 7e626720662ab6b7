import type { Context, Probot } from "probot";
import { installationOctokit, type GitHubClient, type RepoRef } from "../github/octokit.js";
import type { RegistryAccess } from "./registry-access.js";
import type { PerCommit } from "./serial.js";

/** What every handler shares for the App's lifetime. */
export interface Flibs {
  serial: PerCommit;
  registry: RegistryAccess;
  /** Base of the rule reference `flibs/review` links to (`FLIBS_DOCS_URL`). */
  docsUrl?: string;
}

/** What one event's work needs: the installation's client, the repository, the log, and the App's shared parts. */
export interface Scope extends Flibs {
  octokit: GitHubClient;
  repo: RepoRef;
  log: Context["log"];
  /** Runs `work` after any other work on the same commit in this replica. */
  forCommit<T>(sha: string, work: () => Promise<T>): Promise<T>;
}

export async function scopeOf(app: Probot, context: Context, flibs: Flibs): Promise<Scope> {
  const repo = context.repo();
  const octokit = await installationOctokit(app, context);
  return { ...flibs, octokit, repo, log: context.log, forCommit: (sha, work) => flibs.serial.run(`${repo.owner}/${repo.repo}@${sha}`, work) };
}
