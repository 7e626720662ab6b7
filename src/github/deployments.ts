import { FlibsError } from "../core/errors.js";
import type { GitHubClient, RepoRef } from "./octokit.js";

export interface DeploymentRequest {
  /** The commit deployed (a SHA: a branch would move under the deployment). */
  sha: string;
  environment: string;
  description: string;
  /** What the deployment carries for whoever reads it later (the digest, the ref, the promotion id). */
  payload: Record<string, string>;
}

/**
 * Records a promotion as a GitHub deployment to its environment. No auto-merge and no required contexts: the
 * App has already decided from the checks, and GitHub must not merge or refuse on its own.
 */
export async function createDeployment(octokit: GitHubClient, repo: RepoRef, d: DeploymentRequest): Promise<number> {
  const r = await octokit.request("POST /repos/{owner}/{repo}/deployments", {
    ...repo,
    ref: d.sha,
    environment: d.environment,
    description: d.description.slice(0, 140),
    payload: d.payload,
    auto_merge: false,
    required_contexts: [],
    production_environment: true,
    transient_environment: false,
  });
  const id = (r.data as { id?: unknown }).id;
  if (r.status !== 201 || typeof id !== "number")
    throw new FlibsError("github", `GitHub did not create the deployment (answered ${r.status})`);
  return id;
}

export type DeploymentState = "success" | "failure" | "error" | "in_progress" | "queued" | "inactive" | "pending";

export async function setDeploymentStatus(
  octokit: GitHubClient,
  repo: RepoRef,
  deploymentId: number,
  status: { state: DeploymentState; description: string; environmentUrl?: string; logUrl?: string },
): Promise<void> {
  await octokit.request("POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", {
    ...repo,
    deployment_id: deploymentId,
    state: status.state,
    description: status.description.slice(0, 140),
    ...(status.environmentUrl ? { environment_url: status.environmentUrl } : {}),
    ...(status.logUrl ? { log_url: status.logUrl } : {}),
    auto_inactive: status.state === "success",
  });
}
