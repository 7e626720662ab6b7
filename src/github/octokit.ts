import type { Context, Probot, ProbotOctokit } from "probot";
import { FlibsError } from "../core/errors.js";

export type GitHubClient = ProbotOctokit;

/** The repository an event is about, as `owner`/`repo` request parameters. */
export interface RepoRef {
  owner: string;
  repo: string;
}

interface InstallationPayload {
  installation?: { id: number } | null;
}

type OctokitOptions = Record<string, unknown> & {
  throttle?: { enabled?: boolean } & Record<string, unknown>;
  auth?: Record<string, unknown>;
};
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
  const [writer, reader, appId] = await Promise.all([app.auth(id), graphqlReader(app, id), appIdOf(app)]);
  writer.graphql = reader.graphql;
  clientAppIds.set(writer, appId);
  clientProbots.set(writer, app);
  return writer;
}

async function graphqlReader(app: Probot, installationId: number): Promise<GitHubClient> {
  const appOctokit = await app.auth();
  return (await appOctokit.auth({
    type: "installation",
    installationId,
    // As Probot's own app.auth(installationId) builds it (same token cache), under another throttle key.
    factory: ({ octokit, octokitOptions, ...otherOptions }: InstallationFactoryArgs) => {
      const Octokit = octokit.constructor as OctokitClass;
      return new Octokit({
        ...octokitOptions,
        log: octokit.log,
        throttle: octokitOptions.throttle?.enabled
          ? { ...octokitOptions.throttle, id: `${installationId}/graphql-reads` }
          : { enabled: false },
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
    id = app.auth().then((o) => readAppId(o));
    // A failed lookup is not remembered: the next event asks again.
    id.catch(() => probotAppIds.delete(app));
    probotAppIds.set(app, id);
  }
  return id;
}

/**
 * The App id behind a client: undefined only for a client that is no App at all (a plain token); a lookup that
 * fails throws, so that no caller ever reads "no App id" as "trust every check run" (fail closed).
 */
async function readAppId(octokit: GitHubClient): Promise<number | undefined> {
  let a: { type?: unknown; appId?: unknown };
  try {
    a = (await octokit.auth({ type: "app" })) as { type?: unknown; appId?: unknown };
  } catch (e) {
    throw new FlibsError("github", "cannot tell which App flibs is, so cannot tell its own check runs from others'", { cause: e });
  }
  if (typeof a.appId === "number") return a.appId;
  if (a.type === "token" || a.type === "unauthenticated") return undefined;
  throw new FlibsError("github", "cannot tell which App flibs is, so cannot tell its own check runs from others'");
}

/**
 * The App's own id, so the App trusts only check runs it wrote itself: another App, or a workflow's token, may
 * create a check run named `flibs/build` on the same commit. Undefined when the client authenticates with a
 * plain token (no App identity to compare with).
 */
export async function ownAppId(octokit: GitHubClient): Promise<number | undefined> {
  return clientAppIds.has(octokit) ? clientAppIds.get(octokit) : await readAppId(octokit);
}

const clientProbots = new WeakMap<object, Probot>();
const probotLogins = new WeakMap<Probot, Promise<string | undefined>>();

/**
 * The login GitHub shows for what the App does itself (`<slug>[bot]`): a run the App dispatched has it as its
 * triggering actor. Read once per Probot (`GET /app`, as the App), only where a run's id cannot say whose the run
 * is. Undefined when it cannot be read: callers then trust no run (fail closed).
 */
export async function ownAppLogin(octokit: GitHubClient): Promise<string | undefined> {
  const app = clientProbots.get(octokit);
  if (!app) return undefined;
  let login = probotLogins.get(app);
  if (!login) {
    login = app
      .auth()
      .then((o) => o.request("GET /app"))
      .then((r) => (r.data?.slug ? `${r.data.slug}[bot]` : undefined))
      .catch(() => {
        probotLogins.delete(app);
        return undefined;
      });
    probotLogins.set(app, login);
  }
  return await login;
}
