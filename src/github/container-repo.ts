import { CONTAINER_CONFIG_FILE } from "../core/config/index.js";
import { dockerfilePath } from "../core/review/index.js";
import { readFileAt, type RepoFile } from "./contents.js";
import type { GitHubClient, RepoRef } from "./octokit.js";
import { readOrgPolicy, type PolicyRead } from "./policy.js";

/** What one event needs to know about a container repo at a commit: read once, shared by review and planning. */
export interface ContainerRepoAt {
  sha: string;
  containerYaml?: RepoFile;
  dockerfile?: RepoFile;
  policy: PolicyRead;
}

/**
 * Reads `container.yaml` and the org policy (in parallel), then the Dockerfile container.yaml names: three
 * GET requests. A missing file is absent from the result; a failed read throws a FlibsError; a bad policy is
 * reported in `policy`, never thrown.
 */
export async function readContainerRepo(octokit: GitHubClient, repo: RepoRef, sha: string): Promise<ContainerRepoAt> {
  const [containerYaml, policy] = await Promise.all([readFileAt(octokit, repo, CONTAINER_CONFIG_FILE, sha), readOrgPolicy(octokit, repo.owner)]);
  const dockerfile = await readFileAt(octokit, repo, dockerfilePath(containerYaml?.text), sha);
  return { sha, policy, ...(containerYaml ? { containerYaml } : {}), ...(dockerfile ? { dockerfile } : {}) };
}
