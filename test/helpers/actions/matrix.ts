/**
 * `strategy.matrix` expanded as GitHub does (the workflow parser leaves it to the runner service):
 * https://docs.github.com/en/actions/how-tos/write-workflows/choose-what-workflows-do/run-job-variations
 * - the product of every vector, in the order the keys are written, the first key varying slowest;
 * - `exclude` removes each combination that matches all of an entry's pairs (a partial match);
 * - each `include` entry is merged into every original combination none of whose *original* values it would
 *   change (values added by an earlier include may be overwritten); when it fits none, it is a new combination.
 *   Combinations created by an include are never extended by a later one (the docs' fruit/animal example).
 */
import { asString } from "./expressions.js";

export type Combination = Record<string, unknown>;

export class MatrixError extends Error {}

export function expandMatrix(matrix: unknown): Combination[] {
  if (matrix === undefined || matrix === null) return [{}];
  if (typeof matrix !== "object" || Array.isArray(matrix))
    throw new MatrixError(`Unexpected value '${asString(matrix)}' for matrix: a mapping is expected`);
  const m = matrix as Record<string, unknown>;
  const include = asList(m.include, "include");
  const exclude = asList(m.exclude, "exclude");
  const vectors = Object.entries(m).filter(([k]) => k !== "include" && k !== "exclude");
  let base: Combination[] = vectors.length ? [{}] : [];
  for (const [key, values] of vectors) {
    if (!Array.isArray(values)) throw new MatrixError(`Matrix vector '${key}' is not a sequence`);
    if (values.length === 0) throw new MatrixError(`Matrix vector '${key}' does not contain any values`);
    base = base.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  base = base.filter((c) => !exclude.some((e) => Object.entries(e).every(([k, v]) => k in c && same(c[k], v))));
  const originalKeys = new Set(vectors.map(([k]) => k));
  const added: Combination[] = [];
  for (const entry of include) {
    let fitted = false;
    for (const c of base) {
      const fits = Object.entries(entry).every(([k, v]) => !originalKeys.has(k) || same(c[k], v));
      if (!fits) continue;
      Object.assign(c, entry);
      fitted = true;
    }
    if (!fitted) added.push({ ...entry });
  }
  const all = [...base, ...added];
  if (all.length === 0) throw new MatrixError("Matrix must define at least one vector");
  if (all.length > 256) throw new MatrixError(`Strategy produced more than 256 jobs (${all.length})`);
  return all;
}

function asList(v: unknown, name: string): Combination[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "object" || x === null || Array.isArray(x)))
    throw new MatrixError(`matrix ${name} must be a sequence of mappings`);
  return v as Combination[];
}

function same(a: unknown, b: unknown): boolean {
  if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
  return JSON.stringify(a) === JSON.stringify(b);
}
