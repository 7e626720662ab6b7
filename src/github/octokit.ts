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

type OctokitOptions = Record<string, unknown> & { throttle?: { enabled?: boolean } & Record<string, unknown>; auth?: Record<string, unknown> };
type OctokitClass = new (options: OctokitOptions) => GitHubClient;
interface InstallationFactoryArgs {
  octokit: GitHubClient;
  octokitOptions: OctokitOptions;
  [other: string]: unknown;
}

/**
 * The Octokit to use for an event. Probot 14 gives every `context.octokit` one App-wide throttle key, so one
 * busy installation would queue every other installation's writes; an Octokit from `app.auth(installationId)`
 * is throttled per installation (its key is the installation id, shared through Redis when `REDIS_URL` is set).
 * Installation tokens are cached by Probot, so this costs no request after the first one per hour.
 *
 * GraphQL goes through a second throttle key of the same installation. The throttling plugin spaces every
 * GraphQL request like a write (one a second, in the write queue), but flibs only sends GraphQL queries, which
 * GitHub's secondary limits count as reads; behind the write queue, an event's one read would wait for the
 * previous event's writes, and its first check run a second longer. Reads of one installation are still
 * spaced among themselves and keep the plugin's rate-limit handling.
 */
export async function installationOctokit(app: Probot, context: Pick<Context, "octokit"> & { payload: unknown }): Promise<GitHubClient> {
  const id = (context.payload as InstallationPayload).installation?.id;
  if (typeof id !== "number") return context.octokit;
  const [writer, reader] = await Promise.all([app.auth(id) as Promise<GitHubClient>, graphqlReader(app, id)]);
  writer.graphql = reader.graphql;
  return writer;
}

async function graphqlReader(app: Probot, installationId: number): Promise<GitHubClient> {
  const appOctokit = (await app.auth()) as GitHubClient;
  return (await appOctokit.auth({
    type: "installation",
    installationId,
    // As Probot's own app.auth(installationId) builds it (same token cache), under another throttle key.
    factory: ({ octokit, octokitOptions, ...otherOptions }: InstallationFactoryArgs) => {
      const Octokit = octokit.constructor as OctokitClass;
      return new Octokit({
        ...octokitOptions,
        log: octokit.log,
        throttle: octokitOptions.throttle?.enabled ? { ...octokitOptions.throttle, id: `${installationId}/graphql-reads` } : { enabled: false },
        auth: { ...octokitOptions.auth, otherOptions, installationId },
      });
    },
  })) as GitHubClient;
}

const appIds = new WeakMap<object, Promise<number | undefined>>();

/**
 * The App's own id, read from its JWT auth (no request), so the App trusts only check runs it wrote itself:
 * another App, or a workflow's token, may create a check run named `flibs/build` on the same commit.
 * Undefined when the client authenticates with a plain token (no App identity to compare with).
 */
export async function ownAppId(octokit: GitHubClient): Promise<number | undefined> {
  const auth = octokit.auth as unknown as object;
  let id = appIds.get(auth);
  if (!id) {
    id = (octokit.auth({ type: "app" }) as Promise<{ appId?: unknown }>).then(
      (a) => (typeof a.appId === "number" ? a.appId : undefined),
      () => undefined,
    );
    appIds.set(auth, id);
  }
  return await id;
}
