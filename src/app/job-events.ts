import type { Context, Probot } from "probot";
import { parseBuildJobName } from "../core/plan/build-id.js";
import { buildSummaryCheck } from "../core/plan/builds.js";
import type { Arch } from "../core/platform.js";
import { startsBuilding } from "../core/report/build-check.js";
import { archCheck, archCheckSummary, archCheckTitle, type ArchJob } from "../core/report/arch-check.js";
import type { CheckUpdate, JobEvent } from "../core/report/job-check.js";
import { CONVERGENCE_ROUNDS, firstJobCheckState, jobCopiesBehind } from "../core/report/job-convergence.js";
import { parsePlanMarker } from "../core/report/plan-marker.js";
import { listChecks } from "../github/checks.js";
import { writeCheck } from "../github/checks.js";
import { readRun, type RunJob } from "../github/workflows.js";
import { markBuilding } from "./build-started.js";
import type { DeliveryWork } from "./deliveries.js";
import { failureLines } from "./job-failures.js";
import { isOwnRun } from "./own-run.js";
import { scopeOf, type Flibs, type Scope } from "./scope.js";

export const JOB_EVENTS = ["workflow_job.queued", "workflow_job.in_progress", "workflow_job.completed", "workflow_job.waiting"] as const;

type JobPayload = Context<"workflow_job">["payload"]["workflow_job"];

/**
 * `workflow_job` of an arch's build job: creates `flibs/build (<arch>)` when absent (normally on `queued`),
 * otherwise moves every copy of it forward only (src/core/report/job-convergence.ts): late, duplicate or
 * out-of-order events change nothing.
 */
export async function reportJob(
  scope: Scope,
  job: JobPayload,
  action: JobEvent["action"],
): Promise<"created" | "updated" | "unchanged" | "ignored" | "not-ours"> {
  const target = parseBuildJobName(job.name);
  if (target?.kind !== "arch") return "ignored";
  const { id, arch } = target;
  const { octokit, repo } = scope;
  const all = await listChecks(octokit, repo, id.sha);
  const summaryCheck = buildSummaryCheck(all, id);
  if (!summaryCheck) return "not-ours";
  const plan = parsePlanMarker(summaryCheck.summary);
  const identity = await isOwnRun(scope, job.run_id, plan?.run, "build", () => readRun(octokit, repo, job.run_id));
  if (!identity.ok) return "not-ours";
  const name = archCheck.name(arch);
  const ext = archCheck.externalId(id, arch);
  const event: JobEvent = {
    action,
    conclusion: job.conclusion,
    htmlUrl: job.html_url,
    startedAt: job.started_at,
    completedAt: job.completed_at ?? null,
  };
  // A failed job's error lines are its failure annotations: read once, only when a failure is written.
  let errors: Promise<string[]> | undefined;
  const output = async (u: CheckUpdate) => {
    const failed = u.status === "completed" && u.conclusion !== "success" && u.conclusion !== "cancelled" && u.conclusion !== "skipped";
    const view = { ...archView(job, id, arch, u), ...(failed ? { errors: await (errors ??= failureLines(scope, runJobOf(job))) } : {}) };
    return { title: archCheckTitle(view), summary: archCheckSummary(view) };
  };
  const copies = async () => (await listChecks(octokit, repo, id.sha, name)).filter((c) => c.external_id === ext);
  let result: "created" | "updated" | "unchanged" = "unchanged";
  let found = all.filter((c) => c.name === name && c.external_id === ext);
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
  if (startsBuilding(summaryCheck.status, action)) {
    const building = await markBuilding(scope, summaryCheck, job.run_id);
    scope.log.debug({ build: summaryCheck.id, building }, "flibs/build: an arch's job started");
  }
  return result;
}

/** The job of the payload as the jobs API lists it (what the failure lines are read from). */
function runJobOf(job: JobPayload): RunJob {
  const checkRunId = /\/check-runs\/(\d+)$/.exec(job.check_run_url)?.[1];
  return {
    id: job.id,
    name: job.name,
    status: job.status,
    conclusion: job.conclusion,
    htmlUrl: job.html_url,
    ...(checkRunId ? { checkRunId: Number(checkRunId) } : {}),
    steps: [],
  };
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

/** The arch's check as the core renders it, in the state `u` moves it to (the payload's steps say where it stopped). */
function archView(job: JobPayload, id: ArchJob["id"], arch: Arch, u: CheckUpdate): ArchJob {
  return {
    id,
    arch,
    status: u.status,
    ...(u.conclusion ? { conclusion: u.conclusion } : {}),
    htmlUrl: job.html_url,
    runnerName: job.runner_name,
    labels: job.labels,
    steps:
      (job.steps as ReadonlyArray<{ name: string; number: number; status: string; conclusion: string | null }> | undefined)?.map((s) => ({
        name: s.name,
        number: s.number,
        status: s.status,
        conclusion: s.conclusion,
      })) ?? [],
  };
}

export function registerJobEvents(app: Probot, deliveries: DeliveryWork, flibs: Flibs): void {
  app.on([...JOB_EVENTS], async (context) => {
    const job = context.payload.workflow_job;
    const target = parseBuildJobName(job.name);
    if (target?.kind !== "arch") return;
    await deliveries.run(context.log, "flibs/build (workflow_job)", async () => {
      const scope = await scopeOf(app, context, flibs);
      const action = context.payload.action;
      const r = await scope.forCommit(target.id.sha, () => reportJob(scope, job, action));
      context.log.info({ job: job.name, action, result: r }, "flibs/build arch");
    });
  });
}
