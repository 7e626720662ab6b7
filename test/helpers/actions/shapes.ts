/**
 * Runs and jobs in GitHub's shapes: the REST API's `workflow-run` and `job` (components of GitHub's OpenAPI
 * description), and the `workflow_run` / `workflow_job` webhook payloads, each built from the
 * `@octokit/webhooks-examples` example of that event and action (`workflow_run.in_progress` has no example:
 * it starts from `requested`), with every field that names the run, job, repository or time replaced.
 */
import { examplePayload } from "../github-app.js";
import type { JobRecord, RunRecord } from "./model.js";

export interface Urls {
  /** `https://api.github.com`, or the fake's listening URL (`http://127.0.0.1:PORT/api/v3`). */
  api: string;
  /** `https://github.com`, or the GHES host. */
  server: string;
}

export interface RepoInfo {
  fullName: string;
  id: number;
  installationId: number;
  actor: string;
}

export function repositoryObject(repo: RepoInfo, urls: Urls): any {
  const p = examplePayload("workflow_run", "requested", { repo: repo.fullName });
  const r = p.repository;
  const fix = (o: any) => {
    for (const [k, v] of Object.entries(o))
      if (typeof v === "string") o[k] = v.replace("https://api.github.com", urls.api).replace("https://github.com", urls.server);
    return o;
  };
  return fix({
    ...r,
    id: repo.id,
    node_id: Buffer.from(`Repository${repo.id}`).toString("base64"),
    owner: fix({ ...r.owner, login: repo.fullName.split("/")[0] }),
  });
}

export function userObject(login: string, urls: Urls): any {
  const id = 100_000 + [...login].reduce((a, c) => (a * 31 + c.charCodeAt(0)) % 1_000_000, 7);
  return {
    login,
    id,
    node_id: Buffer.from(`User${id}`).toString("base64"),
    avatar_url: `${urls.server}/avatars/u/${id}`,
    gravatar_id: "",
    url: `${urls.api}/users/${login}`,
    html_url: `${urls.server}/${login}`,
    followers_url: `${urls.api}/users/${login}/followers`,
    following_url: `${urls.api}/users/${login}/following{/other_user}`,
    gists_url: `${urls.api}/users/${login}/gists{/gist_id}`,
    starred_url: `${urls.api}/users/${login}/starred{/owner}{/repo}`,
    subscriptions_url: `${urls.api}/users/${login}/subscriptions`,
    organizations_url: `${urls.api}/users/${login}/orgs`,
    repos_url: `${urls.api}/users/${login}/repos`,
    events_url: `${urls.api}/users/${login}/events{/privacy}`,
    received_events_url: `${urls.api}/users/${login}/received_events`,
    type: "User",
    site_admin: false,
  };
}

/** The REST API's `workflow-run`. */
export function restRun(
  run: RunRecord,
  repo: RepoInfo,
  urls: Urls,
  headCommit: { message: string; timestamp: string; tree_id: string },
): any {
  const base = `${urls.api}/repos/${run.repo}/actions/runs/${run.id}`;
  const repository = repositoryObject(repo, urls);
  return {
    id: run.id,
    name: run.name,
    node_id: Buffer.from(`WorkflowRun${run.id}`).toString("base64"),
    check_suite_id: run.id + 1,
    check_suite_node_id: Buffer.from(`CheckSuite${run.id + 1}`).toString("base64"),
    head_branch: run.head_branch,
    head_sha: run.head_sha,
    path: run.path,
    display_title: run.display_title,
    run_number: run.run_number,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    workflow_id: run.workflow_id,
    url: base,
    html_url: `${urls.server}/${run.repo}/actions/runs/${run.id}`,
    pull_requests: [],
    created_at: run.created_at,
    updated_at: run.updated_at,
    actor: userObject(run.actor, urls),
    triggering_actor: userObject(run.actor, urls),
    run_attempt: run.run_attempt,
    referenced_workflows: run.referenced_workflows,
    run_started_at: run.run_started_at,
    jobs_url: `${base}/jobs`,
    logs_url: `${base}/logs`,
    check_suite_url: `${urls.api}/repos/${run.repo}/check-suites/${run.id + 1}`,
    artifacts_url: `${base}/artifacts`,
    cancel_url: `${base}/cancel`,
    rerun_url: `${base}/rerun`,
    previous_attempt_url: null,
    workflow_url: `${urls.api}/repos/${run.repo}/actions/workflows/${run.workflow_id}`,
    head_commit: {
      id: run.head_sha,
      tree_id: headCommit.tree_id,
      message: headCommit.message,
      timestamp: headCommit.timestamp,
      author: { name: "Monalisa Octocat", email: "mona@example.com" },
      committer: { name: "Monalisa Octocat", email: "mona@example.com" },
    },
    repository,
    head_repository: repository,
  };
}

/** The REST API's `job` (also the body of `workflow_job` in webhooks). */
export function restJob(job: JobRecord, run: RunRecord, urls: Urls): any {
  return {
    id: job.id,
    run_id: run.id,
    run_url: `${urls.api}/repos/${run.repo}/actions/runs/${run.id}`,
    run_attempt: run.run_attempt,
    node_id: Buffer.from(`Job${job.id}`).toString("base64"),
    head_sha: job.head_sha,
    head_branch: job.head_branch,
    url: `${urls.api}/repos/${run.repo}/actions/jobs/${job.id}`,
    html_url: `${urls.server}/${run.repo}/actions/runs/${run.id}/job/${job.id}`,
    status: job.status,
    conclusion: job.conclusion,
    created_at: job.created_at,
    started_at: job.started_at,
    completed_at: job.completed_at,
    name: job.name,
    steps: job.steps.map((s) => ({
      name: s.name,
      status: s.status,
      conclusion: s.conclusion,
      number: s.number,
      started_at: s.started_at,
      completed_at: s.completed_at,
    })),
    check_run_url: `${urls.api}/repos/${run.repo}/check-runs/${job.id}`,
    labels: job.labels,
    runner_id: job.runner_id,
    runner_name: job.runner_name,
    runner_group_id: job.runner_id === null ? null : 1,
    runner_group_name: job.runner_id === null ? null : "Default",
    workflow_name: job.workflow_name,
  };
}

export function workflowObject(run: RunRecord, urls: Urls): any {
  return {
    id: run.workflow_id,
    node_id: Buffer.from(`Workflow${run.workflow_id}`).toString("base64"),
    name: run.name,
    path: run.path,
    state: "active",
    created_at: run.created_at,
    updated_at: run.created_at,
    url: `${urls.api}/repos/${run.repo}/actions/workflows/${run.workflow_id}`,
    html_url: `${urls.server}/${run.repo}/blob/${run.head_branch}/${run.path}`,
    badge_url: `${urls.server}/${run.repo}/workflows/${encodeURIComponent(run.name)}/badge.svg`,
  };
}

/** A `workflow_run` delivery's payload. */
export function workflowRunPayload(
  action: "requested" | "in_progress" | "completed",
  rest: any,
  run: RunRecord,
  repo: RepoInfo,
  urls: Urls,
): any {
  const p = examplePayload("workflow_run", action === "in_progress" ? "requested" : action, {
    repo: repo.fullName,
    installationId: repo.installationId,
    sender: run.actor,
  });
  p.action = action;
  // The run's repositories are the short form in deliveries: keep the example's keys, with this repository's values.
  const lite = (example: Record<string, unknown>) =>
    Object.fromEntries(Object.keys(example).map((k) => [k, rest.repository[k] ?? example[k]]));
  p.workflow_run = {
    ...p.workflow_run,
    ...rest,
    repository: lite(p.workflow_run.repository),
    head_repository: lite(p.workflow_run.head_repository),
  };
  p.workflow = { ...p.workflow, ...workflowObject(run, urls) };
  p.repository = rest.repository;
  p.sender = userObject(run.actor, urls);
  if (p.organization) p.organization = { ...p.organization, login: repo.fullName.split("/")[0] };
  return p;
}

/** A `workflow_job` delivery's payload. */
export function workflowJobPayload(
  action: "queued" | "waiting" | "in_progress" | "completed",
  job: JobRecord,
  run: RunRecord,
  repo: RepoInfo,
  urls: Urls,
): any {
  const p = examplePayload("workflow_job", action, { repo: repo.fullName, installationId: repo.installationId, sender: run.actor });
  p.action = action;
  p.workflow_job = { ...p.workflow_job, ...restJob(job, run, urls) };
  p.repository = repositoryObject(repo, urls);
  p.sender = userObject(run.actor, urls);
  if (p.organization) p.organization = { ...p.organization, login: repo.fullName.split("/")[0] };
  if (action !== "waiting") delete p.deployment;
  return p;
}
