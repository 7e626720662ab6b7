/** Levenshtein distance: insertions, deletions and substitutions each cost 1. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/**
 * The candidate a mistyped `value` most likely meant: the closest by edit distance (ignoring case), if it is
 * at most half the candidate's length away, so `platfroms` finds `platforms` and `arm64` finds `aarch64` but
 * `foo` finds nothing among `warn` and `fail`; before that, a candidate the value starts with or that starts with it.
 */
export function closestMatch(value: string, candidates: readonly string[]): string | undefined {
  const v = value.toLowerCase();
  // A longer or shorter spelling of a candidate (`warning` for `warn`, `maint` for `maintain`).
  const affix = candidates.find(
    (c) => Math.min(c.length, v.length) >= 3 && (v.startsWith(c.toLowerCase()) || c.toLowerCase().startsWith(v)),
  );
  if (affix) return affix;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(v, c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best !== undefined && bestDistance <= Math.ceil(best.length / 2) ? best : undefined;
}
