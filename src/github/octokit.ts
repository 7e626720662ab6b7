import type { Context, Probot, ProbotOctokit } from "probot";

export type GitHubClient = ProbotOctokit;

/** The repository an event is about, as `owner`/`repo` request parameters. */
export interface RepoRef {
  owner: string;
  repo: string;
}

interface InstallationPayload {
  installation?: { id: number } | null;
}

/**
 * The Octokit to use for an event. Probot 14 gives every `context.octokit` one App-wide throttle key, so one
 * busy installation would queue every other installation's writes; an Octokit from `app.auth(installationId)`
 * is throttled per installation (its key is the installation id, shared through Redis when `REDIS_URL` is set).
 * Installation tokens are cached by Probot, so this costs no request after the first one per hour.
 */
export async function installationOctokit(app: Probot, context: Pick<Context, "octokit"> & { payload: unknown }): Promise<GitHubClient> {
  const id = (context.payload as InstallationPayload).installation?.id;
  if (typeof id !== "number") return context.octokit;
  return (await app.auth(id)) as GitHubClient;
}
