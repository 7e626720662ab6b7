import type { Policy } from "../config/policy.js";
import { hasAtLeast } from "../permissions.js";
import type { Permission } from "../config/policy.js";
import { BUILD_CHECK } from "./build-id.js";
import { gateExternalId, type CheckView } from "./builds.js";

export interface GateInput {
  /** The PR author's permission on the base repository. */
  authorPermission: Permission | "none";
  /** True when the head branch lives in another repository (a fork). */
  fromFork: boolean;
  headSha: string;
  /** Head SHAs a member with enough permission has approved with `/ok-to-test`. */
  approvedShas: readonly string[];
  policy: Policy;
}

export type GateDecision =
  | { build: true; because: "trusted-author" | "approved-sha" }
  | { build: false; because: "needs-approval"; message: string };

/**
 * Untrusted code never reaches a self-hosted runner: a PR builds at once only when its author may build, and
 * otherwise only for a head SHA someone with that permission approved. A same-repository branch could only be
 * pushed by someone with write access, so it is trusted without asking GitHub.
 */
export function decideGate(input: GateInput): GateDecision {
  const needed = input.policy.build.permission;
  if (!input.fromFork && hasAtLeast("write", needed)) return { build: true, because: "trusted-author" };
  if (hasAtLeast(input.authorPermission, needed)) return { build: true, because: "trusted-author" };
  if (input.approvedShas.includes(input.headSha)) return { build: true, because: "approved-sha" };
  return {
    build: false,
    because: "needs-approval",
    message:
      `This pull request comes from outside the repository, so flibs will not run its code on the build runners ` +
      `until someone with ${needed} access reviews commit \`${input.headSha.slice(0, 12)}\` and comments \`/ok-to-test\`. ` +
      `The approval covers this commit only: a new push needs a new approval.`,
  };
}

/** Whole seconds: GitHub's timestamps (a comment's `created_at`, a check's `completed_at`) have no finer grain. */
const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/**
 * Whether a command written at `writtenAt` (the comment's `created_at`) may start a build of the fork head `sha`.
 * An approval binds to the commit its writer saw: a comment written before the head was pushed, but delivered
 * after, is not an approval of it. The gate check flibs wrote when it saw the push dates that push; with no flibs
 * check on the head yet, the push has not been seen, so the comment cannot be about it either.
 */
export function approvalCoversHead(args: { sha: string; fromFork: boolean; writtenAt?: string; checks: readonly CheckView[] }): { ok: true } | { ok: false; reason: string } {
  if (!args.fromFork) return { ok: true };
  const head = args.sha.slice(0, 12);
  const gate = args.checks.find((c) => c.name === BUILD_CHECK && c.external_id === gateExternalId(args.sha));
  if (!gate && !args.checks.some((c) => c.name === BUILD_CHECK)) {
    return { ok: false, reason: `flibs has not seen ${head} yet (a push may be on its way); approve it once flibs/build asks for approval` };
  }
  if (gate?.completed_at && args.writtenAt && !Number.isNaN(Date.parse(args.writtenAt)) && seconds(args.writtenAt) < seconds(gate.completed_at)) {
    return { ok: false, reason: `it was written before ${head} was pushed; approve ${head} with a new comment` };
  }
  return { ok: true };
}
