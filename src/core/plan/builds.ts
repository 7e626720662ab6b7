import type { Arch } from "../platform.js";
import { parsePlanMarker } from "../report/plan-marker.js";
import { parseDigestsMarker } from "../report/custody.js";
import { archFromCheckName, BUILD_CHECK, externalId, parseExternalId, SUMMARY, type BuildId } from "./build-id.js";

/** A check run of a commit as flibs reads it back (REST and GraphQL listings both reduce to this). */
export interface CheckView {
  id: number;
  name: string;
  status: string;
  conclusion?: string | null;
  external_id?: string | null;
  /** When GitHub completed it (ISO 8601); the gate check is completed when it is written. */
  completed_at?: string | null;
}

/** The `external_id` of the `flibs/build` check that waits for `/ok-to-test`: no build id, no attempt spent. */
export function gateExternalId(sha: string): string {
  return `flibs:gate:${sha}`;
}

/** The `external_id` of a `flibs/build` completed at once because no build will run for the commit. */
export function noBuildExternalId(sha: string): string {
  return `flibs:none:${sha}`;
}

export interface CommitBuilds {
  /** `flibs/build` checks that started a build (not the approval gate), newest attempt last. */
  builds: Array<{ id: BuildId; check: CheckView }>;
  /** The gate check waiting for approval, when there is one and no build started since. */
  waitingForApproval?: CheckView;
  /** The attempt a new build of this commit gets. */
  nextAttempt: number;
  /** The newest check of each arch (any attempt), with the build it belongs to. */
  arches: Map<Arch, { id: BuildId; check: CheckView }>;
}

/**
 * What already happened on a commit, read from its flibs check runs: GitHub is the only state, so every replica
 * (and every duplicate delivery) decides from the same facts and does nothing twice.
 */
export function commitBuilds(sha: string, checks: readonly CheckView[]): CommitBuilds {
  const builds: CommitBuilds["builds"] = [];
  const arches: CommitBuilds["arches"] = new Map();
  let gate: CheckView | undefined;
  let attempt = 0;
  for (const c of checks) {
    if (c.name === BUILD_CHECK && c.external_id === gateExternalId(sha)) {
      if (!gate || c.id > gate.id) gate = c;
      continue;
    }
    const parsed = parseExternalId(c.external_id);
    if (parsed?.id.sha !== sha) continue;
    attempt = Math.max(attempt, parsed.id.attempt);
    if (parsed.target === SUMMARY && c.name === BUILD_CHECK) builds.push({ id: parsed.id, check: c });
    const arch = archFromCheckName(c.name);
    if (arch && parsed.target === arch) {
      const seen = arches.get(arch);
      if (!seen || c.id > seen.check.id) arches.set(arch, { id: parsed.id, check: c });
    }
  }
  builds.sort((a, b) => a.id.attempt - b.id.attempt || a.check.id - b.check.id);
  return { builds, arches, nextAttempt: attempt + 1, ...(gate && builds.length === 0 ? { waitingForApproval: gate } : {}) };
}

const FAILED = new Set(["failure", "cancelled", "timed_out", "action_required", "stale"]);

/** `/retest` without arches: the planned arches whose newest check failed, was cancelled or never ran. */
export function archesToRetest(planned: readonly Arch[], builds: CommitBuilds): Arch[] {
  return planned.filter((a) => {
    const c = builds.arches.get(a)?.check;
    return !c || (c.status === "completed" && FAILED.has(c.conclusion ?? ""));
  });
}

/**
 * "Re-run" of an arch's check (`check_run.rerequested`) that a later attempt already rebuilds: the same click
 * delivered again, or clicked twice. `summaries` are the commit's `flibs/build` checks with their summaries.
 */
export function rerunAlreadyStarted(
  clicked: string | null | undefined,
  arch: Arch,
  summaries: ReadonlyArray<CheckView & { summary?: string | null }>,
): boolean {
  const from = parseExternalId(clicked);
  if (!from) return false;
  return summaries.some((c) => {
    const p = parseExternalId(c.external_id);
    return (
      p?.target === SUMMARY &&
      p.id.sha === from.id.sha &&
      p.id.attempt > from.id.attempt &&
      (parsePlanMarker(c.summary)?.building.includes(arch) ?? false)
    );
  });
}

/**
 * The check each planned arch of a build is judged by: for an arch the build built, the check with the build's
 * own id; for an arch a `/retest` left as it was, the newest check of an earlier attempt of the same commit (and
 * the same kind, scratch or not). An arch without one maps to undefined: an absence is never a pass.
 */
export function planArchChecks<C extends CheckView>(
  id: BuildId,
  plan: { arches: readonly Arch[]; building: readonly Arch[] },
  checks: readonly C[],
): Map<Arch, C | undefined> {
  const out = new Map<Arch, C | undefined>();
  for (const arch of plan.arches) {
    let best: { attempt: number; check: C } | undefined;
    for (const c of checks) {
      if (archFromCheckName(c.name) !== arch) continue;
      const p = parseExternalId(c.external_id);
      if (p?.target !== arch || p.id.sha !== id.sha || p.id.scratch !== id.scratch) continue;
      const fits = plan.building.includes(arch) ? p.id.attempt === id.attempt : p.id.attempt < id.attempt;
      if (fits && (!best || p.id.attempt > best.attempt || (p.id.attempt === best.attempt && c.id > best.check.id)))
        best = { attempt: p.id.attempt, check: c };
    }
    out.set(arch, best?.check);
  }
  return out;
}

/**
 * The tested digest of each arch as the newest closed `flibs/build` of the commit (of the same kind, scratch or
 * not) recorded it: what a `/retest` of some arches keeps for the others.
 */
export function keptDigests(
  latest: BuildId,
  summaries: ReadonlyArray<CheckView & { summary?: string | null }>,
): Partial<Record<Arch, string>> {
  const closed = summaries
    .filter((c) => c.name === BUILD_CHECK && c.status === "completed")
    .map((c) => ({ c, p: parseExternalId(c.external_id) }))
    .filter(({ p }) => p?.target === SUMMARY && p.id.sha === latest.sha && p.id.scratch === latest.scratch)
    .sort((a, b) => b.p!.id.attempt - a.p!.id.attempt || b.c.id - a.c.id);
  return closed.length ? parseDigestsMarker(closed[0]!.c.summary) : {};
}

/** The `flibs/build` check of a build id (the newest, should a replica have written two). */
export function buildSummaryCheck<C extends CheckView>(checks: readonly C[], id: BuildId): C | undefined {
  return checks.filter((c) => c.name === BUILD_CHECK && c.external_id === externalId(id, SUMMARY)).sort((a, b) => b.id - a.id)[0];
}
