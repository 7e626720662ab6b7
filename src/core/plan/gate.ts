import type { Policy } from "../config/policy.js";
import { hasAtLeast } from "../permissions.js";
import type { Permission } from "../config/policy.js";

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
