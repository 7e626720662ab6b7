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
  return scopeFor(flibs, await installationOctokit(app, context), context.repo(), context.log);
}

export function scopeFor(flibs: Flibs, octokit: GitHubClient, repo: RepoRef, log: Context["log"]): Scope {
  return { ...flibs, octokit, repo, log, forCommit: (sha, work) => flibs.serial.run(`${repo.owner}/${repo.repo}@${sha}`, work) };
}

/** The rule reference `flibs/review` links to: `FLIBS_DOCS_URL` (e.g. the README of the organisation's flibs fork). */
export function docsUrlFrom(env: Record<string, string | undefined>): string | undefined {
  const url = env.FLIBS_DOCS_URL?.trim();
  return url ? url : undefined;
}
