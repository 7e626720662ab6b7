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
  const [writer, reader, appId] = await Promise.all([app.auth(id) as Promise<GitHubClient>, graphqlReader(app, id), appIdOf(app)]);
  writer.graphql = reader.graphql;
  clientAppIds.set(writer, appId);
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

/** The App id of each client `installationOctokit` made, found once per Probot instance. */
const clientAppIds = new WeakMap<object, number | undefined>();
const probotAppIds = new WeakMap<Probot, Promise<number | undefined>>();

/** Signing a JWT (a private-key import each time) only to learn the App's id: done once per Probot, not per event. */
function appIdOf(app: Probot): Promise<number | undefined> {
  let id = probotAppIds.get(app);
  if (!id) {
    id = app.auth().then((o) => readAppId(o as GitHubClient));
    probotAppIds.set(app, id);
  }
  return id;
}

async function readAppId(octokit: GitHubClient): Promise<number | undefined> {
  try {
    const a = (await octokit.auth({ type: "app" })) as { appId?: unknown };
    return typeof a.appId === "number" ? a.appId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The App's own id, so the App trusts only check runs it wrote itself: another App, or a workflow's token, may
 * create a check run named `flibs/build` on the same commit. Undefined when the client authenticates with a
 * plain token (no App identity to compare with).
 */
export async function ownAppId(octokit: GitHubClient): Promise<number | undefined> {
  return clientAppIds.has(octokit) ? clientAppIds.get(octokit) : await readAppId(octokit);
}
