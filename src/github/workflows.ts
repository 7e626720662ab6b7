import { FlibsError } from "../core/errors.js";
import { formatBuildId, findBuildId, type BuildId } from "../core/plan/build-id.js";
import { githubError, statusOf } from "./errors.js";
import type { RunFacts } from "../core/plan/run-identity.js";
import type { GitHubClient, RepoRef } from "./octokit.js";

/** The run GitHub started for a dispatch; undefined where GitHub does not say (Enterprise Server 3.20 and older). */
export interface DispatchedRun {
  runId?: number;
  htmlUrl?: string;
}

/**
 * `workflow_dispatch` of a workflow file in the repository, run from `ref` (a branch or tag name). github.com
 * answers `return_run_details: true` with the run's id (200, since 2026-02-19), which is how flibs knows the run
 * is its own; GitHub Enterprise Server 3.20 and older answer 400 to that field, so the dispatch is sent again
 * without it and the run is told apart by its workflow, event and actor instead (src/core/plan/run-identity.ts).
 */
export async function dispatchWorkflow(
  octokit: GitHubClient,
  repo: RepoRef,
  workflow: string,
  ref: string,
  inputs: Record<string, string>,
): Promise<DispatchedRun> {
  const send = (details: boolean) =>
    octokit.request("POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches", {
      ...repo,
      workflow_id: workflow,
      ref,
      inputs,
      ...(details ? { return_run_details: true } : {}),
    });
  try {
    let r;
    try {
      r = await send(true);
    } catch (e) {
      if (statusOf(e) !== 400) throw e;
      r = await send(false);
    }
    const data = r.data as { workflow_run_id?: unknown; html_url?: unknown } | undefined;
    const runId = typeof data?.workflow_run_id === "number" ? data.workflow_run_id : undefined;
    return { ...(runId !== undefined ? { runId } : {}), ...(typeof data?.html_url === "string" ? { htmlUrl: data.html_url } : {}) };
  } catch (e) {
    const status = statusOf(e);
    const doing = `cannot dispatch .github/workflows/${workflow} on ${ref}`;
    const err = githubError(e, doing);
    const why =
      status === 404
        ? `${doing}: ${workflow} does not exist on ${ref}`
        : status === 422 && /unexpected inputs/i.test(err.message)
          ? `${err.message}; update .github/workflows/${workflow} from flibs' workflows-templates (\`flibs init --force\`)`
          : err.message;
    throw new FlibsError(err.code, why, { cause: e, ...(status !== undefined ? { status } : {}) });
  }
}

/** A run as the runs API gives it now: the facts its identity is judged by, and how far it got. */
export interface RunRead extends RunFacts {
  id: number;
  status: string;
  conclusion: string | null;
  htmlUrl: string;
  displayTitle: string;
}

/** A run as flibs judges whose it is (id, workflow file, triggering event and actor) and whether it completed. */
export async function readRun(octokit: GitHubClient, repo: RepoRef, runId: number): Promise<RunRead> {
  let r;
  try {
    r = await octokit.request("GET /repos/{owner}/{repo}/actions/runs/{run_id}", { ...repo, run_id: runId });
  } catch (e) {
    throw githubError(e, `cannot read run ${runId}`);
  }
  return {
    id: Number(r.data.id),
    path: r.data.path,
    event: r.data.event,
    actor: r.data.triggering_actor?.login ?? r.data.actor?.login ?? null,
    status: r.data.status ?? "queued",
    conclusion: r.data.conclusion,
    htmlUrl: r.data.html_url,
    displayTitle: r.data.display_title,
  };
}

/**
 * Cancels the caller workflow's runs of these builds that have not completed: the run each build recorded, or
 * (no id recorded) the run whose run-name carries its build id. Returns the ids of the runs cancelled.
 */
export async function cancelRuns(
  octokit: GitHubClient,
  repo: RepoRef,
  workflow: string,
  builds: ReadonlyArray<{ id: BuildId; run?: number }>,
): Promise<number[]> {
  if (builds.length === 0) return [];
  const ids = new Set(builds.flatMap((b) => (b.run !== undefined ? [b.run] : [])));
  const names = new Set(builds.filter((b) => b.run === undefined).map((b) => formatBuildId(b.id)));
  let r;
  try {
    r = await octokit.request("GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs", {
      ...repo,
      workflow_id: workflow,
      event: "workflow_dispatch",
      per_page: 100,
    });
  } catch (e) {
    throw githubError(e, `cannot list the runs of ${workflow}`);
  }
  const running = r.data.workflow_runs.filter((run) => {
    if (run.status === "completed") return false;
    if (ids.has(Number(run.id))) return true;
    const id = findBuildId(run.display_title);
    return id !== undefined && names.has(formatBuildId(id));
  });
  for (const run of running) {
    try {
      await octokit.request("POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel", { ...repo, run_id: Number(run.id) });
    } catch (e) {
      // 409: the run finished in the meantime; nothing left to cancel.
      if (statusOf(e) !== 409) throw githubError(e, `cannot cancel run ${run.id}`);
    }
  }
  return running.map((run) => Number(run.id));
}

/** A job of a run, as the jobs API lists it and a `workflow_job` event carries it (the fields flibs reads). */
export interface RunJob {
  id: number;
  runId: number;
  name: string;
  status: string;
  conclusion: string | null;
  htmlUrl: string | null;
  startedAt: string | null;
  completedAt: string | null;
  runnerName: string | null;
  labels: string[];
  /** The job's check run (its annotations hold what the Action reported): the id at the end of `check_run_url`. */
  checkRunId?: number;
  steps: Array<{ name: string; status: string; conclusion: string | null; number: number }>;
}

/** The check run id at the end of a job's `check_run_url`. */
export function checkRunIdOf(checkRunUrl: string | null | undefined): number | undefined {
  const id = /\/check-runs\/(\d+)$/.exec(checkRunUrl ?? "")?.[1];
  return id ? Number(id) : undefined;
}

/** The jobs of a run's latest attempt. */
export async function listRunJobs(octokit: GitHubClient, repo: RepoRef, runId: number): Promise<RunJob[]> {
  let r;
  try {
    r = await octokit.request("GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs", {
      ...repo,
      run_id: runId,
      filter: "latest",
      per_page: 100,
    });
  } catch (e) {
    throw githubError(e, `cannot list the jobs of run ${runId}`);
  }
  return r.data.jobs.map((j) => {
    const check = checkRunIdOf(j.check_run_url);
    return {
      id: Number(j.id),
      runId: Number(j.run_id),
      name: j.name,
      status: j.status,
      conclusion: j.conclusion ?? null,
      htmlUrl: j.html_url ?? null,
      startedAt: j.started_at,
      completedAt: j.completed_at ?? null,
      runnerName: j.runner_name ?? null,
      labels: j.labels,
      ...(check !== undefined ? { checkRunId: check } : {}),
      steps: (j.steps ?? []).map((s) => ({ name: s.name, status: s.status, conclusion: s.conclusion ?? null, number: s.number })),
    };
  });
}

/** A job's annotations (its `::notice`/`::error` lines and GitHub's own), at most 100. */
export async function jobAnnotations(
  octokit: GitHubClient,
  repo: RepoRef,
  job: RunJob,
): Promise<Array<{ annotation_level: string | null; title: string | null; message: string | null }>> {
  if (job.checkRunId === undefined) return [];
  let r;
  try {
    r = await octokit.request("GET /repos/{owner}/{repo}/check-runs/{check_run_id}/annotations", {
      ...repo,
      check_run_id: job.checkRunId,
      per_page: 100,
    });
  } catch (e) {
    throw githubError(e, `cannot read the annotations of job ${job.name}`);
  }
  return r.data.map((a) => ({ annotation_level: a.annotation_level ?? null, title: a.title ?? null, message: a.message ?? null }));
}
