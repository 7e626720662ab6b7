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
}

const MARKER = /<!-- flibs:plan (\{[^<>]*\}) -->/;

export function formatPlanMarker(p: BuildPlanRecord): string {
  return `<!-- flibs:plan ${JSON.stringify({ arches: p.arches, building: p.building, ...(p.pr !== undefined ? { pr: p.pr } : {}) })} -->`;
}

export function parsePlanMarker(text: string | null | undefined): BuildPlanRecord | undefined {
  const m = MARKER.exec(text ?? "");
  if (!m) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(m[1]!);
  } catch {
    return undefined;
  }
  const o = v as { arches?: unknown; building?: unknown; pr?: unknown };
  const arches = archList(o.arches);
  const building = archList(o.building);
  if (!arches || !building) return undefined;
  const pr = typeof o.pr === "number" && Number.isInteger(o.pr) && o.pr > 0 ? o.pr : undefined;
  return { arches, building, ...(pr !== undefined ? { pr } : {}) };
}

function archList(v: unknown): Arch[] | undefined {
  if (!Array.isArray(v) || !v.every((a) => typeof a === "string" && isArch(a))) return undefined;
  return v as Arch[];
}
