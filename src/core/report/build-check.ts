import { escapeCell, inlineCode } from "../markdown.js";
import { BUILD_CHECK, externalId, formatBuildId, SUMMARY, type BuildId } from "../plan/build-id.js";
import { noBuildExternalId } from "../plan/builds.js";
import type { Arch } from "../platform.js";
import type { CheckWrite } from "./check.js";
import type { JobEvent } from "./job-check.js";
import { formatPlanMarker, parsePlanMarker, PLAN_MARKER, type BuildPlanRecord } from "./plan-marker.js";

/**
 * `flibs/build`, the build of a commit, before it closes (closing: src/core/report/build-summary.ts): queued with
 * its plan, building once an arch's job started, cancelled saying by what, or completed at once when no build
 * will run (so a required check never waits forever).
 */
export const buildCheck = { name: BUILD_CHECK, externalId: (id: BuildId) => externalId(id, SUMMARY) };

export function queuedBuildSummary(id: BuildId, why: string, plan: BuildPlanRecord): string {
  const kept = plan.arches.filter((a) => !plan.building.includes(a));
  return [
    escapeCell(why, 500),
    "",
    `Build ${inlineCode(formatBuildId(id))}${id.scratch ? " (scratch: never promoted)" : ""}: ${plan.building.map((a) => inlineCode(a)).join(", ")}` +
      (kept.length ? `; the index keeps ${kept.join(", ")} as tested in the earlier attempt` : ""),
    formatPlanMarker(plan),
  ].join("\n");
}

export function queuedBuildTitle(building: readonly Arch[]): string {
  return `Queued: ${building.join(", ")}`;
}

export function runningBuildTitle(building: readonly Arch[]): string {
  return `Building ${building.join(", ")}`;
}

/**
 * Whether an arch job's event moves a `flibs/build` in this state to building: a queued one, when a job started.
 * Only `in_progress` does: each later event of a build whose check is still queued would cost a read of the run
 * (a late or redelivered `completed` of a run already closed, or about to be), and its close follows anyway.
 */
export function startsBuilding(check: string, job: JobEvent["action"]): boolean {
  return check === "queued" && job === "in_progress";
}

/**
 * The building write, read against the run as it is now: none once the run completed, because its close is on its
 * way or done, and "building" written after it would reopen a closed check. A replica that writes it must read the
 * run again afterwards and close the check itself if the run completed in between (the close of another replica
 * may have landed before this write). The summary stays, its plan recording the run: the dispatching replica's own
 * record of the run id may land just before this write, which must not take it away.
 */
export function buildingCheck(
  run: { id: number; status: string },
  summary: string,
): { status: "in_progress"; title: string; summary: string } | undefined {
  const plan = parsePlanMarker(summary);
  if (!plan || run.status === "completed") return undefined;
  return {
    status: "in_progress",
    title: runningBuildTitle(plan.building),
    summary: summary.replace(PLAN_MARKER, () => formatPlanMarker({ ...plan, run: plan.run ?? run.id })),
  };
}

/** Why a build run was cancelled, in the words a maintainer needs: by whom or by what. */
export type CancelCause = { by: "push"; head: string } | { by: "command"; login: string } | { by: "close" } | { by: "unknown" };

/**
 * Why GitHub cancelled a build run no one cancelled through flibs, judged from its pull request as it is now: a
 * newer head means build.yml's concurrency group let the newer push supersede it; a closed PR, the close.
 */
export function cancelCauseOf(buildSha: string, pull: { sha: string; state: string; merged: boolean } | undefined): CancelCause {
  if (!pull) return { by: "unknown" };
  if (pull.state === "closed" && !pull.merged) return { by: "close" };
  if (pull.sha !== buildSha) return { by: "push", head: pull.sha };
  return { by: "unknown" };
}

export function cancelledBuild(cause: CancelCause): { title: string; summary: string } {
  switch (cause.by) {
    case "push":
      return {
        title: `Cancelled: superseded by ${cause.head.slice(0, 7)}`,
        summary: `A newer push (${inlineCode(cause.head.slice(0, 12))}) superseded this build; its own build runs instead.`,
      };
    case "command":
      return {
        title: `Cancelled with /cancel by ${cause.login}`,
        summary: `${inlineCode(cause.login)} cancelled this build with ${inlineCode("/cancel")}. Comment ${inlineCode("/build")} to build it again.`,
      };
    case "close":
      return {
        title: "Cancelled: the pull request was closed",
        summary: "The pull request was closed without merging, so its build was cancelled to free the runners.",
      };
    case "unknown":
      return {
        title: "Cancelled",
        summary: `The build run was cancelled (from the Actions page, or by GitHub). Comment ${inlineCode("/build")} to build it again.`,
      };
  }
}

/**
 * `flibs/build` completed at once when no build will run for the commit: the reason, and whose it is. An invalid
 * container.yaml is the pull request's (failure); a policy with no candidate registry is the organisation's choice
 * of reviews only (neutral, which branch protection counts as passing).
 */
export function noBuildCheck(sha: string, reason: { text: string; kind: "config" | "review-only" | "setup" }): CheckWrite {
  const conclusion = reason.kind === "review-only" ? "neutral" : "failure";
  const title =
    reason.kind === "config"
      ? "Not built: container.yaml is invalid"
      : reason.kind === "review-only"
        ? "Not built: this organisation uses flibs for reviews only"
        : "Not built: flibs' setup needs attention";
  const next =
    reason.kind === "config"
      ? "Fix container.yaml (see `flibs/review` for the line) and push: the build starts with the fix."
      : reason.kind === "review-only"
        ? "To build, the organisation's policy (`.github/flibs.yml` in its `.github` repository) needs `registries.candidate` and `registries.stable`."
        : "This is not the pull request's doing: flibs' operators fix it, then a push or `/build` starts the build.";
  return {
    name: BUILD_CHECK,
    externalId: noBuildExternalId(sha),
    status: "completed",
    conclusion,
    title,
    summary: `${escapeCell(reason.text, 1000)}.\n\n${next}`,
  };
}
