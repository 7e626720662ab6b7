/**
 * Job names as GitHub forms them (in the jobs API, `workflow_job.name` and the check run's name):
 * - a job's name is its `name:` evaluated, else its id;
 * - a matrix leg whose `name:` has no expression (or that has no name) gets ` (<values>)`: the combination's
 *   values in order, comma separated, empty and null values left out (the rule ChristopherHX/runner.server
 *   reproduces, its PR #78); a `name:` with an expression is just evaluated, the matrix in its context;
 * - a job of a called (reusable) workflow is `<caller job name> / <called job name>`, at every level of
 *   nesting. Checked on github.com: the caller's job `build` calling build.yml's `build (aarch64) <id>`
 *   is `build / build (aarch64) <id>`.
 */
import { asString } from "./expressions.js";
import type { Combination } from "./matrix.js";

export function matrixSuffix(combination: Combination | undefined): string {
  if (!combination) return "";
  const values = Object.values(combination)
    .flatMap(flatten)
    .filter((v) => v !== "");
  return values.length ? ` (${values.join(", ")})` : "";
}

function flatten(v: unknown): string[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v.flatMap(flatten);
  if (typeof v === "object") return Object.values(v).flatMap(flatten);
  return [asString(v)];
}

/** The display name of one job (one matrix leg): `evaluated` is the `name:` evaluated, undefined without one. */
export function jobDisplayName(
  id: string,
  name: { evaluated: string; hasExpression: boolean } | undefined,
  combination: Combination | undefined,
  isMatrix: boolean,
): string {
  if (name?.hasExpression) return name.evaluated;
  const base = name?.evaluated ?? id;
  return isMatrix ? `${base}${matrixSuffix(combination)}` : base;
}
