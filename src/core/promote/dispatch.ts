import type { Policy } from "../config/policy.js";
import { err, FlibsError, ok, type Result } from "../errors.js";
import { formatPromotionId, isPromotableRef, type PromotionId } from "./promotion-id.js";

/**
 * The inputs of the container repo's promote caller (`workflows-templates/flibs-promote.yml`). Every value is one
 * the App produced: a SHA and ref it read from GitHub, the digest `flibs/build` recorded, registries and the
 * environment from policy, an id it formatted.
 */
export interface PromoteDispatchInputs {
  sha: string;
  ref: string;
  digest: string;
  promotion_id: string;
  candidate: string;
  stable: string;
  environment: string;
  /** "false" when policy `promote.latest` is false; absent otherwise (a caller from before it existed still works). */
  latest?: "false";
}

export interface PromoteDispatch {
  workflow: string;
  /** The branch or tag the caller workflow runs from (the dispatch API's `ref`). */
  dispatchRef: string;
  inputs: PromoteDispatchInputs;
}

export function planPromoteDispatch(args: { id: PromotionId; ref: string; digest: string; policy: Policy }): Result<PromoteDispatch> {
  const registries = args.policy.registries;
  if (!registries) {
    return err(new FlibsError("config", "the organisation policy names no registries (`registries.candidate` and `registries.stable`), so there is nowhere to promote from or to"));
  }
  if (!isPromotableRef(args.ref)) return err(new FlibsError("usage", `${args.ref} is not a branch or tag ref`));
  if (!/^sha256:[0-9a-f]{64}$/.test(args.digest)) return err(new FlibsError("usage", `${args.digest} is not an index digest`));
  return ok({
    workflow: args.policy.promote.workflow,
    dispatchRef: args.ref.replace(/^refs\/(heads|tags)\//, ""),
    inputs: {
      sha: args.id.sha,
      ref: args.ref,
      digest: args.digest,
      promotion_id: formatPromotionId(args.id),
      candidate: registries.candidate,
      stable: registries.stable,
      environment: args.policy.promote.environment,
      ...(args.policy.promote.latest ? {} : { latest: "false" as const }),
    },
  });
}
