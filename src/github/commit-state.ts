import { parse as parseYaml } from "yaml";
import { CONTAINER_CONFIG_FILE, DEFAULT_POLICY, parsePolicyText, POLICY_FILE } from "../core/config/index.js";
import { FlibsError } from "../core/errors.js";
import type { CheckRunView } from "../core/promote/tested-build.js";
import { dockerfilePath } from "../core/review/index.js";
import { readFileAt, type RepoFile } from "./contents.js";
import { githubError } from "./errors.js";
import { ownAppId, type GitHubClient, type RepoRef } from "./octokit.js";
import { ORG_CONFIG_REPO, readOrgPolicy, type PolicyRead } from "./policy.js";

/** A container repo at a commit plus the check runs already on that commit: what one event needs to decide. */
/** A container repo at a commit, as one event reads it: shared by review and planning. */
export interface ContainerRepoAt {
  sha: string;
  containerYaml?: RepoFile;
  dockerfile?: RepoFile;
  policy: PolicyRead;
}

export interface CommitState extends ContainerRepoAt {
  checks: CheckRunView[];
  /** The PR's head now, when the read was for a PR (a late delivery may be about an older head). */
  pullHead?: string;
}

/**
 * One GraphQL request reads container.yaml, the default Dockerfile, the org policy and every check run of the
 * commit (the budget of a `pull_request.synchronize` is 6 calls). A second request reads the Dockerfile only
 * when container.yaml names another path; a policy with `_extends` is read again through the REST config loader.
 */
export const COMMIT_STATE_QUERY = commitStateQuery(false);

function commitStateQuery(withPull: boolean): string {
  return `query flibsCommitState($owner: String!, $name: String!, $org: String!, $orgRepo: String!, $sha: GitObjectID!, $config: String!, $dockerfile: String!, $policy: String!${withPull ? ", $pr: Int!" : ""}) {
  repository(owner: $owner, name: $name) {${withPull ? "\n    pullRequest(number: $pr) { headRefOid }" : ""}
    config: object(expression: $config) { ... on Blob { text isBinary } }
    dockerfile: object(expression: $dockerfile) { ... on Blob { text isBinary } }
    commit: object(oid: $sha) {
      ... on Commit {
        checkSuites(first: 50) {
          nodes { app { databaseId } checkRuns(first: 100) { nodes { resourcePath name status conclusion externalId completedAt } } }
        }
      }
    }
  }
  org: repository(owner: $org, name: $orgRepo) {
    policy: object(expression: $policy) { ... on Blob { text isBinary } }
  }
}`;
}

interface Blob {
  text?: string | null;
  isBinary?: boolean | null;
}
interface Answer {
  repository?: {
    pullRequest?: { headRefOid?: string | null } | null;
    config?: Blob | null;
    dockerfile?: Blob | null;
    commit?: {
      checkSuites?: {
        nodes?: Array<{ app?: { databaseId?: number | null } | null; checkRuns?: { nodes?: Array<GraphqlCheckRun | null> } | null } | null>;
      };
    } | null;
  } | null;
  org?: { policy?: Blob | null } | null;
}
interface GraphqlCheckRun {
  /** `/owner/repo/runs/<id>`: check run ids passed 2^31 long ago, past what GraphQL's `databaseId: Int` can carry. */
  resourcePath?: string | null;
  name: string;
  status: string;
  conclusion?: string | null;
  externalId?: string | null;
  completedAt?: string | null;
}

const DEFAULT_DOCKERFILE = "Dockerfile";

export async function readCommitState(octokit: GitHubClient, repo: RepoRef, sha: string, pr?: number): Promise<CommitState> {
  const [answer, appId] = await Promise.all([query(octokit, repo, sha, pr), ownAppId(octokit)]);
  if (!answer.repository) throw new FlibsError("github", `GitHub did not find ${repo.owner}/${repo.repo}`);
  const containerYaml = blob(CONTAINER_CONFIG_FILE, answer.repository.config);
  const path = dockerfilePath(containerYaml?.text);
  const dockerfile = path === DEFAULT_DOCKERFILE ? blob(path, answer.repository.dockerfile) : await readFileAt(octokit, repo, path, sha);
  const policy = await policyFrom(octokit, repo.owner, answer.org?.policy);
  // Only this App's suite: another App or a workflow token may write a check run named flibs/build too.
  const ours = (answer.repository.commit?.checkSuites?.nodes ?? []).filter(
    (suite) => appId === undefined || suite?.app?.databaseId === appId,
  );
  const checks: CheckRunView[] = ours.flatMap((suite) =>
    (suite?.checkRuns?.nodes ?? []).flatMap((c) =>
      c && runId(c.resourcePath) !== undefined
        ? [
            {
              id: runId(c.resourcePath)!,
              name: c.name,
              status: c.status.toLowerCase(),
              conclusion: c.conclusion ? c.conclusion.toLowerCase() : null,
              external_id: c.externalId ?? null,
              completed_at: c.completedAt ?? null,
            },
          ]
        : [],
    ),
  );
  const pullHead = answer.repository.pullRequest?.headRefOid ?? undefined;
  return {
    sha,
    policy,
    checks,
    ...(containerYaml ? { containerYaml } : {}),
    ...(dockerfile ? { dockerfile } : {}),
    ...(pullHead ? { pullHead } : {}),
  };
}

async function query(octokit: GitHubClient, repo: RepoRef, sha: string, pr: number | undefined): Promise<Answer> {
  const variables = {
    owner: repo.owner,
    name: repo.repo,
    org: repo.owner,
    orgRepo: ORG_CONFIG_REPO,
    sha,
    config: `${sha}:${CONTAINER_CONFIG_FILE}`,
    dockerfile: `${sha}:${DEFAULT_DOCKERFILE}`,
    policy: `HEAD:${POLICY_FILE}`,
    ...(pr === undefined ? {} : { pr }),
  };
  try {
    return await octokit.graphql<Answer>(pr === undefined ? COMMIT_STATE_QUERY : commitStateQuery(true), variables);
  } catch (e) {
    // An organisation without a `.github` repository is GitHub's NOT_FOUND on `org` alone: no policy, not a
    // failure. A pull request GitHub does not find leaves its head unknown (the delivery's own head is used).
    const err = e as { errors?: Array<{ type?: string; path?: ReadonlyArray<string | number> }>; data?: Answer };
    const optional = (x: { type?: string; path?: ReadonlyArray<string | number> }) =>
      x.type === "NOT_FOUND" && (x.path?.[0] === "org" || (x.path?.[0] === "repository" && x.path[1] === "pullRequest"));
    if (err.data?.repository && err.errors?.length && err.errors.every(optional)) {
      const orgMissing = err.errors.some((x) => x.path?.[0] === "org");
      return { ...err.data, ...(orgMissing ? { org: null } : {}) };
    }
    throw githubError(e, `cannot read ${repo.owner}/${repo.repo} at ${sha.slice(0, 12)}`);
  }
}

function blob(path: string, b: Blob | null | undefined): RepoFile | undefined {
  if (!b) return undefined;
  if (b.isBinary || typeof b.text !== "string") throw new FlibsError("github", `${path} is not a text file`);
  return { path, text: b.text };
}

async function policyFrom(octokit: GitHubClient, owner: string, b: Blob | null | undefined): Promise<PolicyRead> {
  const where = `${owner}/${ORG_CONFIG_REPO}:${POLICY_FILE}`;
  if (!b || typeof b.text !== "string") return { ok: true, policy: DEFAULT_POLICY, found: false };
  let raw: unknown;
  try {
    raw = parseYaml(b.text);
  } catch (e) {
    return {
      ok: false,
      policy: DEFAULT_POLICY,
      message: `cannot read the organisation policy ${where}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`,
    };
  }
  // `_extends` pulls in another file: Probot's config loader knows how (REST reads).
  if (raw && typeof raw === "object" && "_extends" in raw) return await readOrgPolicy(octokit, owner);
  const parsed = parsePolicyText(b.text);
  if (!parsed.ok)
    return {
      ok: false,
      policy: DEFAULT_POLICY,
      message: `invalid organisation policy ${where}: ${parsed.findings.map((f) => f.message).join("; ")}`,
    };
  return { ok: true, policy: parsed.value, found: true };
}

/** A check run's id from its `resourcePath` (`/owner/repo/runs/38123456789`). */
function runId(path: string | null | undefined): number | undefined {
  const m = /\/runs\/(\d{1,16})$/.exec(path ?? "");
  return m ? Number(m[1]) : undefined;
}
