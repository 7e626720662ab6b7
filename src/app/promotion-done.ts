import type { Context, Probot } from "probot";
import { BUILD_CHECK, findBuildId } from "../core/plan/build-id.js";
import { findPromotionId, formatPromotionKey, parsePromotedMarker, parseStableMarker, referenceUrl } from "../core/promote/promotion-id.js";
import { promoteChecks } from "../core/promote/tested-build.js";
import { parseIndexMarker } from "../core/report/index-marker.js";
import { completedPromotion, promoteCheckName } from "../core/report/promote-check.js";
import { promotedNotice, type PromotedReport } from "../core/report/job-notices.js";
import { parseRunMarker } from "../core/report/run-marker.js";
import { listChecks, writeCheck } from "../github/checks.js";
import { setDeploymentStatus } from "../github/deployments.js";
import { jobAnnotations, listRunJobs } from "../github/workflows.js";
import type { DeliveryWork } from "./deliveries.js";
import { isOwnRun, runFacts } from "./own-run.js";
import { resumePromotions } from "./promotion.js";
import { scopeOf, type Flibs, type Scope } from "./scope.js";

type RunPayload = Context<"workflow_run.completed">["payload"]["workflow_run"];

/** The promote caller's run finished: close `flibs/promote (<ref>)` and the deployment. False when it is not ours or done. */
export async function completePromotion(
  scope: Scope,
  run: Pick<RunPayload, "id" | "display_title" | "conclusion" | "html_url" | "path" | "event" | "triggering_actor" | "actor">,
): Promise<boolean> {
  const { octokit, repo } = scope;
  const id = findPromotionId(run.display_title);
  if (!id) return false;
  const checks = (await listChecks(octokit, repo, id.sha)).map((c) => ({ ...c, output: { summary: c.summary, text: c.text } }));
  const p = promoteChecks(checks).find((x) => x.key.id.sha === id.sha && x.key.id.attempt === id.attempt);
  if (!p || p.check.status === "completed") return false;
  const summary = p.check.output?.summary;
  const identity = await isOwnRun(scope, run.id, parseRunMarker(summary), "promote", () => Promise.resolve(runFacts(run)));
  if (!identity.ok) return false;
  const stable = parseStableMarker(summary) ?? "";
  const ok = run.conclusion === "success";
  const promoted = parsePromotedMarker(summary);
  const facts = {
    ref: p.key.ref,
    digest: parseIndexMarker(summary) ?? stable.split("@")[1] ?? "",
    testedSha: promoted.testedSha ?? id.sha,
    environment: "",
    stable,
    tags: promoted.tags.map((t) => ({ ...t, reason: "" })),
  };
  const written = ok ? await promotedReport(scope, run.id) : undefined;
  const done = completedPromotion(facts, {
    ok,
    runConclusion: run.conclusion,
    runUrl: run.html_url,
    ...(written ? { tagsWritten: written.tags, signed: written.signed } : {}),
  });
  if (p.key.deploymentId !== undefined) {
    const page = ok && stable ? referenceUrl(stable) : undefined;
    await setDeploymentStatus(octokit, repo, p.key.deploymentId, {
      state: ok ? "success" : "failure",
      description: ok ? `promoted ${stable}` : `the promote run ended ${run.conclusion ?? "without a conclusion"}`,
      ...(page ? { environmentUrl: page } : {}),
      logUrl: run.html_url,
    });
  }
  await writeCheck(
    octokit,
    repo,
    { id: p.check.id },
    { name: promoteCheckName(p.key.ref), status: "completed", externalId: formatPromotionKey(p.key), detailsUrl: run.html_url, ...done },
  );
  return true;
}

/** What the run's promote job reported writing (tags, signature); undefined when it did not say or cannot be read. */
async function promotedReport(scope: Scope, runId: number): Promise<PromotedReport | undefined> {
  try {
    const jobs = await listRunJobs(scope.octokit, scope.repo, runId);
    for (const job of jobs.filter((j) => j.conclusion === "success")) {
      const read = promotedNotice(await jobAnnotations(scope.octokit, scope.repo, job));
      if (!read.ok) return undefined;
      if (read.value) return read.value;
    }
  } catch (e) {
    scope.log.warn({ err: e }, "flibs/promote: the promote job's report could not be read");
  }
  return undefined;
}

export function registerPromotionProgress(app: Probot, deliveries: DeliveryWork, flibs: Flibs): void {
  const log = (context: Context, outcome: unknown) => context.log.info({ outcome }, "flibs/promote");
  app.on("workflow_run.completed", async (context) => {
    const run = context.payload.workflow_run;
    const promotion = findPromotionId(run.display_title);
    const build = promotion ? undefined : findBuildId(run.display_title);
    if (!promotion && (!build || build.scratch || run.conclusion !== "success")) return;
    await deliveries.run(context.log, "flibs/promote (workflow_run)", async () => {
      const scope = await scopeOf(app, context, flibs);
      if (promotion) log(context, await scope.forCommit(promotion.sha, () => completePromotion(scope, run)));
      else if (build) log(context, await scope.forCommit(build.sha, () => resumePromotions(scope, build.sha)));
    });
  });
  // flibs/build closes on the build's workflow_run, maybe after the event above was handled: its completion resumes too.
  app.on("check_run.completed", async (context) => {
    const check = context.payload.check_run;
    if (check.name !== BUILD_CHECK) return;
    await deliveries.run(context.log, "flibs/promote (check_run)", async () => {
      const scope = await scopeOf(app, context, flibs);
      log(context, await scope.forCommit(check.head_sha, () => resumePromotions(scope, check.head_sha)));
    });
  });
}
