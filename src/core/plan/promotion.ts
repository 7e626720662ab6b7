import type { Arch } from "../platform.js";

/** What flibs knows about the build that tested a commit, read back from its check runs. */
export interface TestedBuild {
  sha: string;
  /** The tree of the tested commit: a merge with the same tree contains exactly what was tested. */
  tree: string;
  scratch: boolean;
  review?: string | null;
  /** Conclusion of `flibs/build` (the summary) and of each planned arch's check of this build (null: none). */
  build?: string | null;
  arches: ReadonlyArray<{ arch: Arch; conclusion?: string | null }>;
  /** The index digest the summary check recorded. */
  indexDigest?: string;
}

export type PromotionDecision =
  { action: "promote"; digest: string; from: string } | { action: "build-first"; reason: string } | { action: "refuse"; reason: string };

/**
 * Promote only the exact digest that was built and tested, for exactly the tree being released. A merge commit
 * whose tree differs (the base moved on) is built and tested first; a failed, partial or scratch build never
 * reaches the stable registry.
 */
export function decidePromotion(args: { tree: string; tested?: TestedBuild }): PromotionDecision {
  const t = args.tested;
  if (!t) return { action: "build-first", reason: "no build of this commit or of a pull request with the same tree was found" };
  if (t.tree !== args.tree) {
    return { action: "build-first", reason: `the tested commit ${t.sha.slice(0, 12)} has another tree than this one` };
  }
  if (t.scratch) return { action: "refuse", reason: "the build is a scratch build; scratch builds are never promoted" };
  if (t.review !== "success") return { action: "refuse", reason: `flibs/review is ${t.review ?? "missing"}, not success` };
  if (t.arches.length === 0) return { action: "refuse", reason: "flibs/build names no arch that was built and checked" };
  const missing = t.arches.filter((a) => a.conclusion === null || a.conclusion === undefined).map((a) => a.arch);
  if (missing.length) return { action: "refuse", reason: `no successful flibs/build check of this build for ${missing.join(", ")}` };
  const failed = t.arches.filter((a) => a.conclusion !== "success").map((a) => a.arch);
  if (failed.length) return { action: "refuse", reason: `the build did not pass on ${failed.join(", ")}` };
  if (t.build !== "success") return { action: "refuse", reason: `flibs/build is ${t.build ?? "missing"}, not success` };
  if (!t.indexDigest || !/^sha256:[0-9a-f]{64}$/.test(t.indexDigest)) {
    return { action: "refuse", reason: "the build recorded no index digest" };
  }
  return { action: "promote", digest: t.indexDigest, from: t.sha };
}
