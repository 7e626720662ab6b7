import { FlibsError } from "../errors.js";

const SHA = /^[0-9a-f]{40}$/;

/**
 * The candidate tags of a build: `pr-<N>-<sha7>` (when built for a PR) and `sha-<sha>`, the tag promotion looks
 * for. A scratch build is tested but never promoted, so it gets neither: only `scratch-<sha>`.
 */
export function candidateTags(sha: string, pr?: number, scratch = false): string[] {
  if (!SHA.test(sha)) throw new FlibsError("usage", `not a full commit SHA: ${JSON.stringify(sha)}`);
  if (pr !== undefined && !(Number.isInteger(pr) && pr > 0)) throw new FlibsError("usage", `not a pull request number: ${pr}`);
  if (scratch) return [`scratch-${sha}`];
  return [...(pr !== undefined ? [`pr-${pr}-${sha.slice(0, 7)}`] : []), `sha-${sha}`];
}

/**
 * The tag one arch's image is pushed under before the index exists. Registries that collect untagged manifests
 * would otherwise drop it between the build job and the publish job; a re-run of the same commit writes the same
 * tag with the same digest.
 */
export function archTag(sha: string, arch: string): string {
  if (!SHA.test(sha)) throw new FlibsError("usage", `not a full commit SHA: ${JSON.stringify(sha)}`);
  return `sha-${sha}-${arch}`;
}

/** A pull request number from an input string; empty means none. */
export function parsePrNumber(text: string | undefined): number | undefined {
  const t = (text ?? "").trim();
  if (t === "") return undefined;
  if (!/^[1-9][0-9]{0,9}$/.test(t)) throw new FlibsError("usage", `pr must be a pull request number, got ${JSON.stringify(t)}`);
  return Number(t);
}
