import type { Arch } from "../platform.js";
import { archFromCheckName, BUILD_CHECK, parseExternalId, REVIEW_CHECK, SUMMARY } from "../plan/build-id.js";
import { isPromoteCheckName } from "../report/promote-check.js";
import type { TestedBuild } from "../plan/promotion.js";
import { parseIndexMarker } from "../report/index-marker.js";
import { parsePlanMarker } from "../report/plan-marker.js";
import { planArchChecks } from "../plan/builds.js";
import { parsePromotionKey, type PromotionKey } from "./promotion-id.js";

/** A check run as GitHub lists it for a commit (the fields flibs reads). */
export interface CheckRunView {
  id: number;
  name: string;
  status: string;
  conclusion?: string | null;
  external_id?: string | null;
  completed_at?: string | null;
  output?: { summary?: string | null; text?: string | null } | null;
}

/** The newest check run of each name (GitHub's ids grow with time; a re-run is a new check run). */
export function latestByName(checks: readonly CheckRunView[]): Map<string, CheckRunView> {
  const latest = new Map<string, CheckRunView>();
  for (const c of checks) {
    const seen = latest.get(c.name);
    if (!seen || c.id > seen.id) latest.set(c.name, c);
  }
  return latest;
}

export type BuildState = { state: "none" } | { state: "running" } | { state: "done"; tested: TestedBuild };

/**
 * What the flibs checks of `sha` (whose tree is `tree`) say about its build: none, still running, or done with
 * each conclusion, whether it was a scratch build (from the `external_id`) and the index digest `flibs/build`
 * recorded. A build is running until its summary check completed.
 *
 * Every arch the summary's plan names must have a check of its own: of the summary's build id for the arches
 * that build built, of an earlier attempt of the same commit for the arches a `/retest` left as they were. An
 * arch without one is listed with no conclusion, so an absence never passes for a success.
 */
export function buildStateFromChecks(sha: string, tree: string, checks: readonly CheckRunView[]): BuildState {
  const latest = latestByName(checks);
  const summary = latest.get(BUILD_CHECK);
  const hasArchCheck = checks.some((c) => archFromCheckName(c.name) !== undefined && parseExternalId(c.external_id)?.id.sha === sha);
  if (!summary && !hasArchCheck) return { state: "none" };
  if (summary?.status !== "completed") return { state: "running" };
  const summaryId = parseExternalId(summary.external_id);
  const plan = parsePlanMarker(summary.output?.summary);
  const judged = summaryId && plan ? planArchChecks(summaryId.id, plan, checks) : new Map<Arch, CheckRunView | undefined>();
  const arches = [...judged].map(([arch, c]) => ({ arch, conclusion: c?.status === "completed" ? (c.conclusion ?? null) : null }));
  const tested: TestedBuild = {
    sha,
    tree,
    // A summary without a flibs external id cannot prove it was not a scratch build.
    scratch: summaryId?.target !== SUMMARY || summaryId.id.sha !== sha || summaryId.id.scratch,
    review: latest.get(REVIEW_CHECK)?.conclusion ?? null,
    build: summary.conclusion ?? null,
    arches,
  };
  const digest = parseIndexMarker(summary.output?.summary, summary.output?.text);
  if (digest) tested.indexDigest = digest;
  return { state: "done", tested };
}

export interface PromoteCheck {
  check: CheckRunView;
  key: PromotionKey;
}

/** The `flibs/promote` check runs of a commit that flibs made, with their keys. */
export function promoteChecks(checks: readonly CheckRunView[]): PromoteCheck[] {
  return checks.flatMap((check) => {
    if (!isPromoteCheckName(check.name)) return [];
    const key = parsePromotionKey(check.external_id);
    return key ? [{ check, key }] : [];
  });
}

/** The next attempt number for promotions of a commit. */
export function nextPromotionAttempt(existing: readonly PromoteCheck[]): number {
  return existing.reduce((n, p) => Math.max(n, p.key.id.attempt), 0) + 1;
}
