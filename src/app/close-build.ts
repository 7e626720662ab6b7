import type { Context, Probot } from "probot";
import { findBuildId } from "../core/plan/build-id.js";
import { buildSummaryCheck, planArchChecks } from "../core/plan/builds.js";
import type { Arch } from "../core/platform.js";
import { failedConclusion, failedStep } from "../core/report/arch-check.js";
import { cancelCauseOf, cancelledBuild } from "../core/report/build-check.js";
import { summarizeBuild, type ArchResult } from "../core/report/build-summary.js";
import { formatDigestsMarker } from "../core/report/custody.js";
import { formatPlanMarker, parsePlanMarker } from "../core/report/plan-marker.js";
import { listChecks, writeCheck } from "../github/checks.js";
import type { RunJob } from "../github/workflows.js";
import { readPull } from "../github/pulls.js";
import type { DeliveryWork } from "./deliveries.js";
import { readIndexByValue } from "./index-by-value.js";
import { failureLines } from "./job-failures.js";
import { syncArchCheck } from "./arch-check-sync.js";
import type { RunFacts } from "../core/plan/run-identity.js";
import { isOwnRun, runFacts } from "./own-run.js";
import { scopeOf, type Flibs, type Scope } from "./scope.js";

type RunPayload = Context<"workflow_run.completed">["payload"]["workflow_run"];

/** A completed build run, from its `workflow_run` payload or read from the runs API. */
export type ClosingRun = RunFacts & { id: number; displayTitle: string; conclusion: string | null; htmlUrl: string };

export function closingRunOf(run: RunPayload): ClosingRun {
  return { ...runFacts(run), displayTitle: run.display_title ?? "", conclusion: run.conclusion, htmlUrl: run.html_url };
}

/**
 * `workflow_run.completed` of a build: closes `flibs/build` with every planned arch's result and the index read
 * back from the candidate registry by value. A cancelled run closes it cancelled.
 */
export async function reportRun(scope: Scope, run: ClosingRun): Promise<"closed" | "ignored" | "already-closed" | "not-ours"> {
  const id = findBuildId(run.displayTitle);
  if (!id) return "ignored";
  const { octokit, repo } = scope;
  const checks = await listChecks(octokit, repo, id.sha);
  const summaryCheck = buildSummaryCheck(checks, id);
  if (!summaryCheck) return "not-ours";
  const plan = parsePlanMarker(summaryCheck.summary);
  const identity = await isOwnRun(scope, run.id, plan?.run, "build", () => Promise.resolve(run));
  if (!identity.ok) return "not-ours";
  if (summaryCheck.status === "completed") return "already-closed";
  // Kept for promotion and for a later /retest of some arches: the plan, and every digest a job reported.
  const planMarker = plan ? `\n${formatPlanMarker(plan)}` : "";
  if (run.conclusion === "cancelled") {
    const pull = plan?.pr !== undefined ? await readPull(octokit, repo, plan.pr).catch(() => undefined) : undefined;
    const text = cancelledBuild(cancelCauseOf(id.sha, pull));
    await writeCheck(
      octokit,
      repo,
      { id: summaryCheck.id },
      {
        status: "completed",
        conclusion: "cancelled",
        detailsUrl: run.htmlUrl,
        title: text.title,
        summary: `${text.summary} [Run](${encodeURI(run.htmlUrl)})${planMarker}`,
      },
    );
    return "closed";
  }
  const custody = await readIndexByValue(scope, { id, run, plan });
  // Each arch this attempt built as the completed run's jobs say (its own events may still be on their way, or
  // lost); an arch a /retest left as it was keeps its earlier attempt's check.
  const results = new Map<Arch, ArchResult>();
  for (const [arch, c] of plan ? planArchChecks(id, plan, checks) : []) {
    const job = custody.archJobs.get(arch);
    if (job) {
      const result = await jobResult(scope, arch, job);
      results.set(arch, result);
      // The arch's own check never spins on after its run: its job's end, if that event is late or was lost.
      if (job.status === "completed" && c?.status !== "completed")
        await syncArchCheck(scope, { id, arch }, job, "completed", checks, result.errors);
    } else if (c)
      results.set(arch, {
        arch,
        conclusion: c.status === "completed" ? (c.conclusion ?? null) : null,
        ...(c.details_url ? { jobUrl: c.details_url } : {}),
      });
  }
  for (const [arch, digest] of custody.digests) {
    const size = custody.sizes.get(arch);
    results.set(arch, { ...(results.get(arch) ?? { arch }), digest, ...(size !== undefined ? { size } : {}) });
  }
  const s = summarizeBuild({
    planned: plan?.arches ?? [],
    results: [...results.values()],
    ...(custody.indexDigest ? { indexDigest: custody.indexDigest } : {}),
    ...(custody.indexRef ? { indexRef: custody.indexRef } : {}),
    runConclusion: run.conclusion,
    runUrl: run.htmlUrl,
    ...(custody.publish ? { publish: custody.publish } : {}),
    ...(custody.problem ? { problem: custody.problem } : {}),
  });
  const summary = [s.text, planMarker, custody.digests.size ? `\n${formatDigestsMarker(custody.digests)}` : ""].join("");
  await writeCheck(
    octokit,
    repo,
    { id: summaryCheck.id },
    { status: "completed", conclusion: s.conclusion, detailsUrl: run.htmlUrl, title: s.title, summary },
  );
  return "closed";
}

/** An arch's result from its job in the completed run: where it failed, and its error lines. */
async function jobResult(scope: Scope, arch: Arch, job: RunJob): Promise<ArchResult> {
  const conclusion = job.status === "completed" ? job.conclusion : null;
  const failed = failedConclusion(conclusion);
  const step = failed ? failedStep(job) : undefined;
  return {
    arch,
    conclusion,
    ...(job.htmlUrl ? { jobUrl: job.htmlUrl } : {}),
    ...(step ? { failedStep: step.name } : {}),
    ...(failed ? { errors: await failureLines(scope, job) } : {}),
  };
}

export function registerBuildClose(app: Probot, deliveries: DeliveryWork, flibs: Flibs): void {
  app.on("workflow_run.completed", async (context) => {
    const run = context.payload.workflow_run;
    const id = findBuildId(run.display_title);
    if (!id) return;
    await deliveries.run(context.log, "flibs/build (workflow_run)", async () => {
      const scope = await scopeOf(app, context, flibs);
      const r = await scope.forCommit(id.sha, () => reportRun(scope, closingRunOf(run)));
      context.log.info({ run: run.display_title, result: r }, "flibs/build summary");
    });
  });
}
