import { CONTAINER_CONFIG_FILE, parseContainerConfig, type Policy } from "../core/config/index.js";
import { describeError } from "../core/errors.js";
import type { TestedBuild } from "../core/plan/promotion.js";
import { planPromoteDispatch } from "../core/promote/dispatch.js";
import {
  formatPromotedMarker,
  formatPromotionKey,
  formatStableMarker,
  stableReference,
  tagOfRef,
  type PromotionId,
} from "../core/promote/promotion-id.js";
import {
  decidePromotionStep,
  needsPullHead,
  promotionEntry,
  refusedPromotionCheck,
  resumedPromotionStep,
  type PromotionStep,
  type RepoFacts,
  type Trigger,
} from "../core/promote/promotion-step.js";
import { planTags } from "../core/promote/tags.js";
import { buildStateFromChecks, promoteChecks } from "../core/promote/tested-build.js";
import { promoteCheckName, promotingSummary } from "../core/report/promote-check.js";
import { formatRunMarker } from "../core/report/run-marker.js";
import { listChecks, writeCheck } from "../github/checks.js";
import { commitTree, readFileAt } from "../github/contents.js";
import { createDeployment, setDeploymentStatus } from "../github/deployments.js";
import { readOrgPolicy } from "../github/policy.js";
import { pullsForCommit } from "../github/pulls.js";
import { dispatchWorkflow } from "../github/workflows.js";
import { buildOfCommit } from "./promotion-build.js";
import type { Scope } from "./scope.js";

export type PromotionOutcome =
  | { kind: "duplicate" | "skipped" | "building-first" | "waiting" | "refused"; reason: string }
  | { kind: "promoting"; id: PromotionId; digest: string; from: string; deploymentId: number; checkId: number };

async function readFacts(scope: Scope, sha: string, known?: Policy): Promise<RepoFacts | { problem: string }> {
  const [file, policyRead] = await Promise.all([
    readFileAt(scope.octokit, scope.repo, CONTAINER_CONFIG_FILE, sha),
    known ? { ok: true as const, policy: known } : readOrgPolicy(scope.octokit, scope.repo.owner),
  ]);
  if (!policyRead.ok) return { problem: policyRead.message };
  const parsed = parseContainerConfig(file?.text ?? "");
  if (!parsed.ok)
    return { problem: `container.yaml at ${sha.slice(0, 12)} is invalid: ${parsed.findings.map((f) => f.message).join("; ")}` };
  return { policy: policyRead.policy, config: parsed.value, image: parsed.value.image ?? scope.repo.repo };
}

/** The build that tested this tree when the commit has none: the merged pull request's head. */
async function testedPullHead(scope: Scope, sha: string): Promise<TestedBuild | undefined> {
  const pulls = await pullsForCommit(scope.octokit, scope.repo, sha);
  const pr = pulls.find((p) => p.mergeCommitSha === sha) ?? pulls.find((p) => p.merged);
  if (!pr) return undefined;
  const [tree, checks] = await Promise.all([commitTree(scope.octokit, scope.repo, pr.headSha), listCheckRuns(scope, pr.headSha)]);
  const state = buildStateFromChecks(pr.headSha, tree, checks);
  return state.state === "done" ? state.tested : undefined;
}

async function listCheckRuns(scope: Scope, sha: string) {
  return (await listChecks(scope.octokit, scope.repo, sha)).map((c) => ({ ...c, output: { summary: c.summary, text: c.text } }));
}

/** Decides and acts for one commit and ref (src/core/promote/promotion-step.ts): promote, build first, wait, or refuse. */
export async function promoteCommit(
  scope: Scope,
  t: { sha: string; tree: string; ref: string; trigger: Trigger; policy?: Policy },
): Promise<PromotionOutcome> {
  const checks = await listCheckRuns(scope, t.sha);
  const entry = promotionEntry(checks, t.sha, t.ref, t.trigger);
  if (entry.kind !== "new") return entry;
  const facts = await readFacts(scope, t.sha, t.policy);
  const own = buildStateFromChecks(t.sha, t.tree, checks);
  const tested = needsPullHead(own) && !("problem" in facts) ? await testedPullHead(scope, t.sha) : undefined;
  const step = decidePromotionStep({ ...t, key: entry.key, facts, own, ...(tested ? { tested } : {}) });
  return await carryOut(scope, step, { id: entry.id, ref: t.ref, facts });
}

/** The commit's own build finished: carry on with the promotions that waited for it. */
export async function resumePromotions(scope: Scope, sha: string): Promise<PromotionOutcome[]> {
  const all = await listCheckRuns(scope, sha);
  const waiting = promoteChecks(all).filter((p) => p.check.status !== "completed" && p.key.deploymentId === undefined);
  if (waiting.length === 0) return [];
  const own = buildStateFromChecks(sha, sha, all);
  if (own.state !== "done") return [];
  const facts = await readFacts(scope, sha);
  const outcomes: PromotionOutcome[] = [];
  for (const w of waiting) {
    const step = resumedPromotionStep({ sha, ref: w.key.ref, key: formatPromotionKey({ id: w.key.id, ref: w.key.ref }), facts, own });
    if (step) outcomes.push(await carryOut(scope, step, { id: w.key.id, ref: w.key.ref, facts, checkId: w.check.id }));
  }
  return outcomes;
}

async function carryOut(
  scope: Scope,
  step: PromotionStep,
  p: { id: PromotionId; ref: string; facts: RepoFacts | { problem: string }; checkId?: number },
): Promise<PromotionOutcome> {
  const target = (checkId?: number) => (checkId !== undefined ? { id: checkId } : { sha: p.id.sha });
  if (step.kind === "skipped") return step;
  if (step.kind === "promote")
    return await startPromotion(scope, { ...p, digest: step.digest, from: step.from, facts: p.facts as RepoFacts });
  const checkId = await writeCheck(scope.octokit, scope.repo, target(p.checkId), step.check);
  if (step.kind !== "building-first") return { kind: step.kind, reason: step.reason };
  try {
    const facts = p.facts as RepoFacts;
    await buildOfCommit(scope, {
      sha: p.id.sha,
      dispatchRef: p.ref.replace(/^refs\/(heads|tags)\//, ""),
      config: facts.config,
      policy: facts.policy,
    });
  } catch (e) {
    const why = `could not start the build: ${describeError(e)}`;
    await writeCheck(
      scope.octokit,
      scope.repo,
      { id: checkId },
      refusedPromotionCheck(p.ref, formatPromotionKey({ id: p.id, ref: p.ref }), why),
    );
    return { kind: "refused", reason: why };
  }
  return { kind: "building-first", reason: step.reason };
}

/** Deployment, then `flibs/promote (<ref>)` in progress (naming it), then the promote caller's dispatch. */
async function startPromotion(
  scope: Scope,
  p: { id: PromotionId; ref: string; digest: string; from: string; facts: RepoFacts; checkId?: number },
): Promise<PromotionOutcome> {
  const { octokit, repo } = scope;
  const { id, ref, digest, facts } = p;
  const target = (checkId?: number) => (checkId !== undefined ? { id: checkId } : { sha: id.sha });
  const plan = planPromoteDispatch({ id, ref, digest, policy: facts.policy });
  if (!plan.ok) {
    await writeCheck(octokit, repo, target(p.checkId), refusedPromotionCheck(ref, formatPromotionKey({ id, ref }), plan.error.message));
    return { kind: "refused", reason: plan.error.message };
  }
  const stable = stableReference(facts.policy.registries!.stable, facts.image, digest);
  const tags = planTags({ gitTag: tagOfRef(ref), extraTags: facts.config.tags });
  const environment = facts.policy.promote.environment;
  const deploymentId = await createDeployment(octokit, repo, {
    sha: id.sha,
    environment,
    description: `flibs promotes ${digest.slice(0, 19)} for ${ref}`,
    payload: { digest, ref, promotion_id: plan.value.inputs.promotion_id, tested_sha: p.from, stable },
  });
  const key = formatPromotionKey({ id, ref, deploymentId });
  const planned = tags.ok ? tags.value.tags : [];
  const summary = [
    promotingSummary({ ref, digest, testedSha: p.from, environment, stable, tags: planned }, tags.ok ? undefined : tags.error.message),
    formatStableMarker(stable),
    formatPromotedMarker(p.from, planned),
  ].join("\n");
  const promoting = {
    name: promoteCheckName(ref),
    status: "in_progress" as const,
    externalId: key,
    title: `Promoting ${digest.slice(7, 19)} to ${environment}`,
    summary,
  };
  const checkId = await writeCheck(octokit, repo, target(p.checkId), promoting);
  let run;
  try {
    run = await dispatchWorkflow(octokit, repo, plan.value.workflow, plan.value.dispatchRef, { ...plan.value.inputs });
  } catch (e) {
    const why = describeError(e);
    await setDeploymentStatus(octokit, repo, deploymentId, { state: "error", description: why });
    await writeCheck(octokit, repo, { id: checkId }, refusedPromotionCheck(ref, key, why));
    return { kind: "refused", reason: why };
  }
  // The run's id is what lets its completion close this check: a run merely named `flibs promote <id>` cannot.
  if (run.runId !== undefined) {
    await writeCheck(
      octokit,
      repo,
      { id: checkId },
      { ...promoting, summary: `${summary}\n${formatRunMarker(run.runId)}`, ...(run.htmlUrl ? { detailsUrl: run.htmlUrl } : {}) },
    );
  }
  return { kind: "promoting", id, digest, from: p.from, deploymentId, checkId };
}
