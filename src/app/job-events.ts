import type { Context, Probot } from "probot";
import { parseBuildJobName } from "../core/plan/build-id.js";
import { buildSummaryCheck } from "../core/plan/builds.js";
import { startsBuilding } from "../core/report/build-check.js";
import type { JobEvent } from "../core/report/job-check.js";
import { parsePlanMarker } from "../core/report/plan-marker.js";
import { listChecks } from "../github/checks.js";
import { checkRunIdOf, readRun, type RunJob } from "../github/workflows.js";
import { syncArchCheck } from "./arch-check-sync.js";
import { markBuilding } from "./build-started.js";
import type { DeliveryWork } from "./deliveries.js";
import { isOwnRun } from "./own-run.js";
import { scopeOf, type Flibs, type Scope } from "./scope.js";

export const JOB_EVENTS = ["workflow_job.queued", "workflow_job.in_progress", "workflow_job.completed", "workflow_job.waiting"] as const;

type JobPayload = Context<"workflow_job">["payload"]["workflow_job"];

/**
 * `workflow_job` of an arch's build job of the run flibs dispatched: brings `flibs/build (<arch>)` to where the job
 * is (src/app/arch-check-sync.ts), and `flibs/build` from queued to building once a job started.
 */
export async function reportJob(
  scope: Scope,
  job: RunJob,
  action: JobEvent["action"],
): Promise<"created" | "updated" | "unchanged" | "ignored" | "not-ours"> {
  const target = parseBuildJobName(job.name);
  if (target?.kind !== "arch") return "ignored";
  const { octokit, repo } = scope;
  const all = await listChecks(octokit, repo, target.id.sha);
  const summaryCheck = buildSummaryCheck(all, target.id);
  if (!summaryCheck) return "not-ours";
  const plan = parsePlanMarker(summaryCheck.summary);
  const identity = await isOwnRun(scope, job.runId, plan?.run, "build", () => readRun(octokit, repo, job.runId));
  if (!identity.ok) return "not-ours";
  const result = await syncArchCheck(scope, target, job, action, all);
  if (startsBuilding(summaryCheck.status, action)) {
    const building = await markBuilding(scope, summaryCheck, job.runId);
    scope.log.debug({ build: summaryCheck.id, building }, "flibs/build: an arch's job started");
  }
  return result;
}

/** The job of a `workflow_job` payload, as the jobs API lists it. */
export function runJobOf(job: JobPayload): RunJob {
  const checkRunId = checkRunIdOf(job.check_run_url);
  return {
    id: job.id,
    runId: job.run_id,
    name: job.name,
    status: job.status,
    conclusion: job.conclusion,
    htmlUrl: job.html_url,
    startedAt: job.started_at,
    completedAt: job.completed_at ?? null,
    runnerName: job.runner_name,
    labels: job.labels,
    ...(checkRunId !== undefined ? { checkRunId } : {}),
    steps:
      (job.steps as ReadonlyArray<RunJob["steps"][number]> | undefined)?.map((s) => ({
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
      const r = await scope.forCommit(target.id.sha, () => reportJob(scope, runJobOf(job), action));
      context.log.info({ job: job.name, action, result: r }, "flibs/build arch");
    });
  });
}
