import type { Policy } from "../config/policy.js";
import { err, FlibsError, ok, type Result } from "../errors.js";
import { formatPromotionId, isPromotableRef, type PromotionId } from "./promotion-id.js";

/**
 * What the organisation policy says about one promotion, sent as the promote caller's `policy` input (one JSON
 * string, as for builds). The environment is not among them: the caller fixes it, so nobody who can dispatch
 * the caller by hand can pick an environment without reviewers.
 */
export interface PromotePolicyInput {
  candidate: string;
  stable: string;
  insecure_registries: string[];
  /** Whether a release moves `latest` (`promote.latest`). */
  latest: boolean;
  /** `runs-on` labels of the promote job (`runner_labels.promote`). */
  runner: string[];
}

/**
 * The inputs of the container repo's promote caller (`workflows-templates/flibs-promote.yml`). Every value is one
 * the App produced: a SHA and ref it read from GitHub, the digest `flibs/build` recorded, values of the
 * organisation policy, an id it formatted.
 */
export interface PromoteDispatchInputs {
  sha: string;
  ref: string;
  digest: string;
  promotion_id: string;
  /** JSON of {@link PromotePolicyInput}. */
  policy: string;
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
    return err(
      new FlibsError(
        "config",
        "the organisation policy names no registries (`registries.candidate` and `registries.stable`), so there is nowhere to promote from or to",
      ),
    );
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
      policy: JSON.stringify({
        candidate: registries.candidate,
        stable: registries.stable,
        insecure_registries: registries.insecure,
        latest: args.policy.promote.latest,
        runner: args.policy.runner_labels.promote,
      } satisfies PromotePolicyInput),
    },
  });
}
