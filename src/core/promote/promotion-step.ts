import type { ContainerConfig, Policy } from "../config/index.js";
import { escapeCell } from "../markdown.js";
import { decidePromotion, type TestedBuild } from "../plan/promotion.js";
import type { CheckWrite } from "../report/check.js";
import { promoteCheckName } from "../report/promote-check.js";
import { formatPromotionKey, type PromotionId } from "./promotion-id.js";
import { nextPromotionAttempt, promoteChecks, type BuildState, type CheckRunView } from "./tested-build.js";

/**
 * The promotion of a commit for a ref, as a state machine over its `flibs/promote (<ref>)` check: each step reads
 * the commit's checks and returns what to write, so duplicate and out-of-order deliveries change nothing twice
 * and any replica can carry on. The App carries the writes out (src/app/promotion.ts).
 */
export type Trigger = "event" | "command";

export interface RepoFacts {
  policy: Policy;
  config: ContainerConfig;
  image: string;
}

/** Whether a new promotion attempt starts: not when the event was handled already, nor while one runs. */
export function promotionEntry(
  checks: readonly CheckRunView[],
  sha: string,
  ref: string,
  trigger: Trigger,
): { kind: "duplicate" | "refused"; reason: string } | { kind: "new"; id: PromotionId; key: string } {
  const existing = promoteChecks(checks);
  const same = existing.filter((p) => p.key.ref === ref);
  if (trigger === "event" && same.length > 0)
    return { kind: "duplicate", reason: `${ref} of ${sha.slice(0, 12)} is already handled by check run ${same[0]!.check.id}` };
  const running = same.find((p) => p.check.status !== "completed");
  if (running)
    return {
      kind: "refused",
      reason: `a promotion of ${sha.slice(0, 12)} for ${ref} is already under way (check run ${running.check.id})`,
    };
  const id: PromotionId = { sha, attempt: nextPromotionAttempt(existing) };
  return { kind: "new", id, key: formatPromotionKey({ id, ref }) };
}

export type PromotionStep =
  | { kind: "skipped"; reason: string }
  | { kind: "refused" | "waiting" | "building-first"; reason: string; check: CheckWrite }
  | { kind: "promote"; digest: string; from: string };

/** The commit's own build is not done and the merged PR's head may have tested its tree: read that first. */
export function needsPullHead(own: BuildState): boolean {
  return own.state === "none";
}

/**
 * What one promotion does next, from what is known of the commit: its repository facts (or why they cannot be
 * read), its own build, and the build that tested its tree (its own, or the merged pull request's head).
 */
export function decidePromotionStep(a: {
  sha: string;
  tree: string;
  ref: string;
  key: string;
  trigger: Trigger;
  facts: RepoFacts | { problem: string };
  own: BuildState;
  tested?: TestedBuild;
}): PromotionStep {
  // An organisation that names no registries builds nothing (review only): a merge there is no promotion to report.
  if (a.trigger === "event" && !("problem" in a.facts) && !a.facts.policy.registries)
    return { kind: "skipped", reason: "the organisation policy names no registries" };
  if ("problem" in a.facts) return refused(a.ref, a.key, a.facts.problem);
  if (a.own.state === "running") {
    const reason = `the build of ${a.sha.slice(0, 12)} is still running; it is promoted when its checks pass`;
    return { kind: "waiting", reason, check: waitingCheck(a.ref, a.key, "Waiting for the build", reason) };
  }
  const tested = a.own.state === "done" ? a.own.tested : a.tested;
  const decision = decidePromotion({ tree: a.tree, ...(tested ? { tested } : {}) });
  if (decision.action === "refuse") return refused(a.ref, a.key, decision.reason);
  if (decision.action === "build-first") {
    const reason = `${decision.reason}: building ${a.sha.slice(0, 12)} first; it is promoted when its checks pass`;
    return { kind: "building-first", reason, check: waitingCheck(a.ref, a.key, "Building first", reason) };
  }
  return { kind: "promote", digest: decision.digest, from: decision.from };
}

/** A waiting promotion whose commit's own build is done: promote its digest, or refuse saying why. */
export function resumedPromotionStep(a: {
  sha: string;
  ref: string;
  key: string;
  facts: RepoFacts | { problem: string };
  own: BuildState;
}): PromotionStep | undefined {
  if (a.own.state !== "done") return undefined;
  if ("problem" in a.facts) return refused(a.ref, a.key, a.facts.problem);
  // The commit's own build tested exactly this tree, whatever its hash: compare the commit with itself.
  const decision = decidePromotion({ tree: a.sha, tested: a.own.tested });
  if (decision.action !== "promote") return refused(a.ref, a.key, decision.reason);
  return { kind: "promote", digest: decision.digest, from: decision.from };
}

function refused(ref: string, key: string, reason: string): PromotionStep {
  return { kind: "refused", reason, check: refusedPromotionCheck(ref, key, reason) };
}

export function refusedPromotionCheck(ref: string, key: string, reason: string): CheckWrite {
  return {
    name: promoteCheckName(ref),
    status: "completed",
    conclusion: "failure",
    externalId: key,
    title: `Not promoted: ${reason}`,
    summary: `❌ flibs did not promote this commit for ${escapeCell(ref)}: ${escapeCell(reason, 2000)}\n\nOnce the cause is fixed, comment \`/promote\` on the merged pull request, or use Re-run on this check.`,
  };
}

function waitingCheck(ref: string, key: string, title: string, reason: string): CheckWrite {
  return { name: promoteCheckName(ref), status: "queued", externalId: key, title, summary: reason };
}
