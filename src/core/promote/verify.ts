import { parseIndexMarker } from "../report/index-marker.js";
import { isPromoteCheckName } from "../report/promote-check.js";
import { formatPromotionId, parsePromotionKey } from "./promotion-id.js";
import type { CheckRunView } from "./tested-build.js";
import type { BuildRecord } from "../build/record.js";

/**
 * What the promote job checks before it copies anything, with its own token: anyone with write access can
 * dispatch the promote caller by hand, with any digest. A promotion is flibs' only when the App's own
 * `flibs/promote` check on the commit (its App id, which no workflow token can write as) names this promotion id
 * and ref, is still in progress, and recorded exactly this digest; and the candidate's build record, attached to
 * that index, was built from the same tree as the commit being released.
 */
export type Verification = { ok: true } | { ok: false; reason: string };

export function verifyPromotionRequest(args: {
  promotionId: string;
  ref: string;
  digest: string;
  sha: string;
  checks: readonly CheckRunView[];
}): Verification {
  const own = args.checks.filter((c) => isPromoteCheckName(c.name)).map((c) => ({ c, key: parsePromotionKey(c.external_id) }));
  const mine = own.filter(({ key }) => key && formatPromotionId(key.id) === args.promotionId && key.id.sha === args.sha);
  if (mine.length === 0)
    return {
      ok: false,
      reason: `the flibs App started no promotion ${args.promotionId} of ${args.sha.slice(0, 12)}: promotions are started by the App (merge, release or /promote), not by hand`,
    };
  const check = mine.sort((a, b) => b.c.id - a.c.id)[0]!;
  if (check.key!.ref !== args.ref) return { ok: false, reason: `promotion ${args.promotionId} is for ${check.key!.ref}, not ${args.ref}` };
  if (check.c.status === "completed")
    return { ok: false, reason: `promotion ${args.promotionId} is already over (${check.c.conclusion ?? "completed"})` };
  const recorded = parseIndexMarker(check.c.output?.summary, check.c.output?.text);
  if (recorded !== args.digest)
    return { ok: false, reason: `the flibs App is promoting ${recorded ?? "no recorded digest"}, not ${args.digest}` };
  return { ok: true };
}

export function verifyBuildRecord(args: { record: Partial<BuildRecord> | undefined; digest: string; tree: string }): Verification {
  const r = args.record;
  if (!r) return { ok: false, reason: `the candidate index ${args.digest} has no flibs build record: it was not published by flibs` };
  if (r.indexDigest !== args.digest)
    return { ok: false, reason: `the build record attached to ${args.digest} describes ${r.indexDigest ?? "another index"}` };
  if (!r.tree)
    return { ok: false, reason: "the build record names no tree: the tested source cannot be compared with the released commit" };
  if (r.tree !== args.tree)
    return {
      ok: false,
      reason: `the index was built from tree ${r.tree.slice(0, 12)} (commit ${(r.commit ?? "?").slice(0, 12)}), not from the released commit's tree ${args.tree.slice(0, 12)}`,
    };
  return { ok: true };
}
