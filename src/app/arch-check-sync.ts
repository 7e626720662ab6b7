import type { BuildId } from "../core/plan/build-id.js";
import type { Arch } from "../core/platform.js";
import { archCheck, archCheckSummary, archCheckTitle, failedConclusion, type ArchJob } from "../core/report/arch-check.js";
import type { CheckUpdate, JobEvent } from "../core/report/job-check.js";
import { CONVERGENCE_ROUNDS, firstJobCheckState, jobCopiesBehind } from "../core/report/job-convergence.js";
import { listChecks, writeCheck, type CheckRecord } from "../github/checks.js";
import type { RunJob } from "../github/workflows.js";
import { failureLines } from "./job-failures.js";
import type { Scope } from "./scope.js";

/**
 * Brings `flibs/build (<arch>)` of a build to where its job is: creates it when absent, otherwise moves every copy
 * of it forward only (src/core/report/job-convergence.ts), so late, duplicate or out-of-order events change
 * nothing. `listed` are the commit's checks as the caller read them. The job is already known to be of the run
 * flibs dispatched.
 */
export async function syncArchCheck(
  scope: Scope,
  target: { id: BuildId; arch: Arch },
  job: RunJob,
  action: JobEvent["action"],
  listed: readonly CheckRecord[],
  /** The job's error lines when the caller already read them. */
  knownErrors?: readonly string[],
): Promise<"created" | "updated" | "unchanged"> {
  const { id, arch } = target;
  const { octokit, repo } = scope;
  const name = archCheck.name(arch);
  const ext = archCheck.externalId(id, arch);
  const event: JobEvent = {
    action,
    conclusion: job.conclusion,
    htmlUrl: job.htmlUrl,
    startedAt: job.startedAt,
    completedAt: job.completedAt,
  };
  // A failed job's error lines are its failure annotations: read once, only when a failure is written.
  let errors: Promise<readonly string[]> | undefined = knownErrors && Promise.resolve(knownErrors);
  const output = async (u: CheckUpdate) => {
    const failed = u.status === "completed" && failedConclusion(u.conclusion);
    const view = { ...archView(job, id, arch, u), ...(failed ? { errors: await (errors ??= failureLines(scope, job)) } : {}) };
    return { title: archCheckTitle(view), summary: archCheckSummary(view) };
  };
  const copies = async () => (await listChecks(octokit, repo, id.sha, name)).filter((c) => c.external_id === ext);
  let result: "created" | "updated" | "unchanged" = "unchanged";
  let found = listed.filter((c) => c.name === name && c.external_id === ext);
  if (found.length === 0) {
    const u = firstJobCheckState(event);
    await writeCheck(octokit, repo, { sha: id.sha }, { name, externalId: ext, ...patchOf(u), ...(await output(u)) });
    result = "created";
    found = await copies();
  }
  for (let round = 0; round < CONVERGENCE_ROUNDS && found.length > 0; round++) {
    const behind = jobCopiesBehind(
      found.map((c) => ({ id: c.id, status: c.status as CheckUpdate["status"], conclusion: c.conclusion ?? null })),
      event,
    );
    if (behind.length === 0) break;
    for (const { id: checkId, update } of behind)
      await writeCheck(octokit, repo, { id: checkId }, { ...patchOf(update), ...(await output(update)) });
    if (result === "unchanged") result = "updated";
    found = await copies();
  }
  return result;
}

function patchOf(u: CheckUpdate) {
  return {
    status: u.status,
    ...(u.conclusion ? { conclusion: u.conclusion } : {}),
    ...(u.started_at ? { startedAt: u.started_at } : {}),
    ...(u.completed_at ? { completedAt: u.completed_at } : {}),
    ...(u.details_url ? { detailsUrl: u.details_url } : {}),
  };
}

/** The arch's check as the core renders it, in the state `u` moves it to (the job's steps say where it stopped). */
function archView(job: RunJob, id: BuildId, arch: Arch, u: CheckUpdate): ArchJob {
  return {
    id,
    arch,
    status: u.status,
    ...(u.conclusion ? { conclusion: u.conclusion } : {}),
    ...(job.htmlUrl ? { htmlUrl: job.htmlUrl } : {}),
    runnerName: job.runnerName,
    labels: job.labels,
    steps: job.steps,
  };
}
