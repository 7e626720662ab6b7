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
  { build: true; because: "trusted-author" | "approved-sha" } | { build: false; because: "needs-approval"; message: string };

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
      `until someone with ${needed} access reviews commit \`${input.headSha.slice(0, 12)}\` and comments \`/ok-to-test ${input.headSha.slice(0, 12)}\`. ` +
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
export function approvalCoversHead(args: {
  sha: string;
  fromFork: boolean;
  writtenAt?: string;
  checks: readonly CheckView[];
}): { ok: true } | { ok: false; reason: string } {
  if (!args.fromFork) return { ok: true };
  const head = args.sha.slice(0, 12);
  const gate = args.checks.find((c) => c.name === BUILD_CHECK && c.external_id === gateExternalId(args.sha));
  if (!gate && !args.checks.some((c) => c.name === BUILD_CHECK)) {
    return {
      ok: false,
      reason: `flibs has not seen ${head} yet (a push may be on its way); approve it once flibs/build asks for approval`,
    };
  }
  if (
    gate?.completed_at &&
    args.writtenAt &&
    !Number.isNaN(Date.parse(args.writtenAt)) &&
    seconds(args.writtenAt) < seconds(gate.completed_at)
  ) {
    return { ok: false, reason: `it was written before ${head} was pushed; approve ${head} with a new comment` };
  }
  return { ok: true };
}

/**
 * `/ok-to-test [<sha>]` against the head flibs sees now: the SHA named (a prefix of 7 or more hex digits) must be
 * the head, so a push while the reviewer typed is not approved; policy `build.ok_to_test_sha: required` demands
 * one. Returns the approved head, or why not, with the fix.
 */
export function approvalNamesHead(args: { named?: string; head: string; policy: Policy }): { ok: true } | { ok: false; reason: string } {
  const head7 = args.head.slice(0, 12);
  if (args.named === undefined) {
    if (args.policy.build.ok_to_test_sha === "required")
      return {
        ok: false,
        reason: `this organisation asks you to name the commit you reviewed: comment \`/ok-to-test ${head7}\` if that is the one`,
      };
    return { ok: true };
  }
  if (!args.head.startsWith(args.named)) {
    return {
      ok: false,
      reason: `\`${args.named}\` is not the head of this pull request (${head7} is): review ${head7} and comment \`/ok-to-test ${head7}\``,
    };
  }
  return { ok: true };
}
