import { isArch, type Arch } from "../platform.js";

/**
 * What `flibs/build` was planned to hold, kept in its summary as an HTML comment (GitHub does not render it):
 * `workflow_run` events do not carry the dispatch inputs, so the App that closes the check reads the plan here.
 */
export interface BuildPlanRecord {
  /** Every arch the index must hold. */
  arches: Arch[];
  /** The arches this attempt builds (a `/retest` rebuilds some; the others keep their earlier result). */
  building: Arch[];
  pr?: number;
  /** The caller workflow's run GitHub started for the dispatch (`workflow_run_id`), once known. */
  run?: number;
  /** For the arches a `/retest` does not rebuild: the digest each was tested with in the earlier attempt. */
  kept?: Partial<Record<Arch, string>>;
}

/** The plan marker in a summary (one per summary). */
export const PLAN_MARKER = /<!-- flibs:plan (\{[^<>]*\}) -->/;

export function formatPlanMarker(p: BuildPlanRecord): string {
  const record = {
    arches: p.arches,
    building: p.building,
    ...(p.pr !== undefined ? { pr: p.pr } : {}),
    ...(p.run !== undefined ? { run: p.run } : {}),
    ...(p.kept && Object.keys(p.kept).length ? { kept: p.kept } : {}),
  };
  return `<!-- flibs:plan ${JSON.stringify(record)} -->`;
}

export function parsePlanMarker(text: string | null | undefined): BuildPlanRecord | undefined {
  const m = PLAN_MARKER.exec(text ?? "");
  if (!m) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(m[1]!);
  } catch {
    return undefined;
  }
  const o = v as { arches?: unknown; building?: unknown; pr?: unknown; run?: unknown; kept?: unknown };
  const arches = archList(o.arches);
  const building = archList(o.building);
  if (!arches || !building) return undefined;
  const pr = positiveInteger(o.pr);
  const run = positiveInteger(o.run);
  const kept = keptDigests(o.kept);
  return { arches, building, ...(pr !== undefined ? { pr } : {}), ...(run !== undefined ? { run } : {}), ...(kept ? { kept } : {}) };
}

function archList(v: unknown): Arch[] | undefined {
  if (!Array.isArray(v) || !v.every((a) => typeof a === "string" && isArch(a))) return undefined;
  return v;
}

function positiveInteger(v: unknown): number | undefined {
  return typeof v === "number" && Number.isSafeInteger(v) && v > 0 ? v : undefined;
}

function keptDigests(v: unknown): Partial<Record<Arch, string>> | undefined {
  if (!v || typeof v !== "object" || Array.isArray(v)) return undefined;
  const out: Partial<Record<Arch, string>> = {};
  for (const [a, d] of Object.entries(v)) if (isArch(a) && typeof d === "string" && /^sha256:[0-9a-f]{64}$/.test(d)) out[a] = d;
  return Object.keys(out).length ? out : undefined;
}
