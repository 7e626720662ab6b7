import type { Context, Probot } from "probot";
import { authorize } from "../core/commands/authorize.js";
import { CONTAINER_CONFIG_FILE, parseContainerConfig, type ContainerConfig, type Permission, type Policy } from "../core/config/index.js";
import { describeError } from "../core/errors.js";
import { escapeCell, inlineCode } from "../core/markdown.js";
import { BUILD_CHECK, findBuildId, PROMOTE_CHECK } from "../core/plan/build-id.js";
import { decidePromotion, type TestedBuild } from "../core/plan/promotion.js";
import { planPromoteDispatch } from "../core/promote/dispatch.js";
import {
  findPromotionId,
  formatPromotionKey,
  formatStableMarker,
  parseStableMarker,
  referenceUrl,
  stableReference,
  tagOfRef,
  type PromotionId,
} from "../core/promote/promotion-id.js";
import { planTags } from "../core/promote/tags.js";
import { buildStateFromChecks, nextPromotionAttempt, promoteChecks, type CheckRunView } from "../core/promote/tested-build.js";
import { formatIndexMarker } from "../core/report/index-marker.js";
import { readFileAt } from "../github/contents.js";
import { createDeployment, setDeploymentStatus } from "../github/deployments.js";
import { installationOctokit, ownAppLogin, type GitHubClient, type RepoRef } from "../github/octokit.js";
import { ownRun, type RunIdentity } from "../core/plan/run-identity.js";
import { formatRunMarker, parseRunMarker } from "../core/report/run-marker.js";
import { readOrgPolicy } from "../github/policy.js";
import {
  commitTree,
  listCheckRuns,
  pullsForCommit,
  readPermission,
  readPullRequest,
  resolveCommit,
  writeCheck,
} from "../github/promote.js";
import { dispatchWorkflow } from "../github/workflows.js";
import type { DeliveryWork } from "./deliveries.js";
import { dispatchBuildOfCommit } from "./promote-build.js";

/**
 * Flow 6, promotion. State lives in the `flibs/promote` check run of the released commit (its external_id holds
 * the promotion id, the deployment and the ref) and in the deployment: every step reads them before acting, so
 * duplicate and out-of-order deliveries change nothing twice and any replica can carry on.
 */
export type PromotionOutcome =
  | { kind: "duplicate"; reason: string }
  | { kind: "skipped"; reason: string }
  | { kind: "promoting"; id: PromotionId; digest: string; from: string; deploymentId: number; checkId: number }
  | { kind: "building-first"; reason: string }
  | { kind: "waiting"; reason: string }
  | { kind: "refused"; reason: string };

interface Target {
  repo: RepoRef;
  sha: string;
  tree: string;
  /** `refs/heads/<default branch>` or `refs/tags/v1.2.3`. */
  ref: string;
  /** An event acts once per commit and ref; `/promote` may try again after a refusal or a failure. */
  trigger: "event" | "command";
  policy?: Policy;
}

interface RepoFacts {
  policy: Policy;
  config: ContainerConfig;
  image: string;
}

async function readFacts(octokit: GitHubClient, repo: RepoRef, sha: string, known?: Policy): Promise<RepoFacts | { problem: string }> {
  const [file, policyRead] = await Promise.all([
    readFileAt(octokit, repo, CONTAINER_CONFIG_FILE, sha),
    known ? Promise.resolve({ ok: true as const, policy: known }) : readOrgPolicy(octokit, repo.owner),
  ]);
  if (!policyRead.ok) return { problem: policyRead.message };
  const parsed = parseContainerConfig(file?.text ?? "");
  if (!parsed.ok) return { problem: `container.yaml at ${sha.slice(0, 12)} is invalid: ${parsed.findings.map((f) => f.message).join("; ")}` };
  return { policy: policyRead.policy, config: parsed.value, image: parsed.value.image ?? repo.repo };
}

/** The build that tested this tree: the commit's own, else the merged pull request's head. */
async function testedPullHead(octokit: GitHubClient, repo: RepoRef, sha: string): Promise<TestedBuild | undefined> {
  const pulls = await pullsForCommit(octokit, repo, sha);
  const pr = pulls.find((p) => p.mergeCommitSha === sha) ?? pulls.find((p) => p.merged);
  if (!pr) return undefined;
  const [tree, checks] = await Promise.all([commitTree(octokit, repo, pr.headSha), listCheckRuns(octokit, repo, pr.headSha)]);
  const state = buildStateFromChecks(pr.headSha, tree, checks);
  return state.state === "done" ? state.tested : undefined;
}

function refusedCheck(reason: string, key: string) {
  return {
    name: PROMOTE_CHECK,
    status: "completed" as const,
    conclusion: "failure" as const,
    externalId: key,
    title: `Not promoted: ${reason}`,
    summary: `❌ flibs did not promote this commit: ${escapeCell(reason, 2000)}`,
  };
}

/** Decides and acts for one commit and ref: promote the tested digest, build first, wait, or refuse. */
export async function promoteCommit(octokit: GitHubClient, t: Target): Promise<PromotionOutcome> {
  const { repo, sha, ref } = t;
  const checks = await listCheckRuns(octokit, repo, sha);
  const existing = promoteChecks(checks);
  const same = existing.filter((p) => p.key.ref === ref);
  if (t.trigger === "event" && same.length > 0) return { kind: "duplicate", reason: `${ref} of ${sha.slice(0, 12)} is already handled by check run ${same[0]!.check.id}` };
  const running = same.find((p) => p.check.status !== "completed");
  if (running) return { kind: "refused", reason: `a promotion of ${sha.slice(0, 12)} for ${ref} is already under way (check run ${running.check.id})` };
  const id: PromotionId = { sha, attempt: nextPromotionAttempt(existing) };
  const waitingKey = formatPromotionKey({ id, ref });

  const facts = await readFacts(octokit, repo, sha, t.policy);
  // An organisation that names no registries builds nothing (review only): a merge there is no promotion to report.
  if (t.trigger === "event" && !("problem" in facts) && !facts.policy.registries) {
    return { kind: "skipped", reason: "the organisation policy names no registries" };
  }
  if ("problem" in facts) {
    await writeCheck(octokit, repo, sha, refusedCheck(facts.problem, waitingKey));
    return { kind: "refused", reason: facts.problem };
  }
  const own = buildStateFromChecks(sha, t.tree, checks);
  if (own.state === "running") {
    const reason = `the build of ${sha.slice(0, 12)} is still running; it is promoted when its checks pass`;
    await writeCheck(octokit, repo, sha, { name: PROMOTE_CHECK, status: "queued", externalId: waitingKey, title: "Waiting for the build", summary: reason });
    return { kind: "waiting", reason };
  }
  const tested = own.state === "done" ? own.tested : await testedPullHead(octokit, repo, sha);
  const decision = decidePromotion({ tree: t.tree, tested });
  if (decision.action === "refuse") {
    await writeCheck(octokit, repo, sha, refusedCheck(decision.reason, waitingKey));
    return { kind: "refused", reason: decision.reason };
  }
  if (decision.action === "build-first") {
    const reason = `${decision.reason}: building ${sha.slice(0, 12)} first; it is promoted when its checks pass`;
    // The waiting check first: it is what a duplicate delivery finds.
    const checkId = await writeCheck(octokit, repo, sha, { name: PROMOTE_CHECK, status: "queued", externalId: waitingKey, title: "Building first", summary: reason });
    try {
      await dispatchBuildOfCommit(octokit, repo, { sha, dispatchRef: shortRef(ref), config: facts.config, policy: facts.policy });
    } catch (e) {
      const why = `could not start the build: ${describeError(e)}`;
      await writeCheck(octokit, repo, sha, refusedCheck(why, waitingKey), checkId);
      return { kind: "refused", reason: why };
    }
    return { kind: "building-first", reason };
  }
  return await startPromotion(octokit, repo, { id, ref, digest: decision.digest, from: decision.from, facts });
}

/** The commit's own build finished: carry on with the promotions that waited for it. */
export async function resumePromotions(octokit: GitHubClient, repo: RepoRef, sha: string, checks?: CheckRunView[]): Promise<PromotionOutcome[]> {
  const all = checks ?? (await listCheckRuns(octokit, repo, sha));
  const waiting = promoteChecks(all).filter((p) => p.check.status !== "completed" && p.key.deploymentId === undefined);
  if (waiting.length === 0) return [];
  // The commit's own build tested exactly this tree, whatever its hash: compare the commit with itself.
  const own = buildStateFromChecks(sha, sha, all);
  if (own.state !== "done") return [];
  const facts = await readFacts(octokit, repo, sha);
  const outcomes: PromotionOutcome[] = [];
  for (const w of waiting) {
    const key = formatPromotionKey({ id: w.key.id, ref: w.key.ref });
    if ("problem" in facts) {
      await writeCheck(octokit, repo, sha, refusedCheck(facts.problem, key), w.check.id);
      outcomes.push({ kind: "refused", reason: facts.problem });
      continue;
    }
    const decision = decidePromotion({ tree: sha, tested: own.tested });
    if (decision.action !== "promote") {
      await writeCheck(octokit, repo, sha, refusedCheck(decision.reason, key), w.check.id);
      outcomes.push({ kind: "refused", reason: decision.reason });
      continue;
    }
    outcomes.push(await startPromotion(octokit, repo, { id: w.key.id, ref: w.key.ref, digest: decision.digest, from: decision.from, facts, checkId: w.check.id }));
  }
  return outcomes;
}

/** Deployment, then `flibs/promote` in progress (naming it), then the promote caller's dispatch. */
async function startPromotion(
  octokit: GitHubClient,
  repo: RepoRef,
  p: { id: PromotionId; ref: string; digest: string; from: string; facts: RepoFacts; checkId?: number },
): Promise<PromotionOutcome> {
  const { id, ref, digest, facts } = p;
  const plan = planPromoteDispatch({ id, ref, digest, policy: facts.policy });
  if (!plan.ok) {
    await writeCheck(octokit, repo, id.sha, refusedCheck(plan.error.message, formatPromotionKey({ id, ref })), p.checkId);
    return { kind: "refused", reason: plan.error.message };
  }
  const stable = stableReference(facts.policy.registries!.stable, facts.image, digest);
  const tags = planTags({ gitTag: tagOfRef(ref), extraTags: facts.config.tags });
  const tagList = tags.ok ? tags.value.tags.map((x) => x.tag) : [];
  const environment = facts.policy.promote.environment;
  const deploymentId = await createDeployment(octokit, repo, {
    sha: id.sha,
    environment,
    description: `flibs promotes ${digest.slice(0, 19)} for ${ref}`,
    payload: { digest, ref, promotion_id: plan.value.inputs.promotion_id, tested_sha: p.from, stable },
  });
  const key = formatPromotionKey({ id, ref, deploymentId });
  const summary = [
    `Promoting the index tested on ${inlineCode(p.from.slice(0, 12))} to the ${inlineCode(environment)} environment for ${inlineCode(ref)}; the environment's reviewers may need to approve the run.`,
    "",
    "| | |",
    "| --- | --- |",
    `| digest | ${inlineCode(digest)} |`,
    `| stable | ${inlineCode(stable)} |`,
    `| tags | ${tagList.length ? tagList.map((x) => inlineCode(x)).join(", ") : `${inlineCode(`sha-${id.sha}`)}${tags.ok ? "" : ` (${escapeCell(tags.error.message)})`}`} |`,
    "",
    formatIndexMarker(digest),
    formatStableMarker(stable),
  ].join("\n");
  const promoting = { name: PROMOTE_CHECK, status: "in_progress" as const, externalId: key, title: `Promoting ${digest.slice(7, 19)} to ${environment}`, summary };
  const checkId = await writeCheck(octokit, repo, id.sha, promoting, p.checkId);
  let run;
  try {
    run = await dispatchWorkflow(octokit, repo, plan.value.workflow, plan.value.dispatchRef, { ...plan.value.inputs });
  } catch (e) {
    const why = describeError(e);
    await setDeploymentStatus(octokit, repo, deploymentId, { state: "error", description: why });
    await writeCheck(octokit, repo, id.sha, refusedCheck(why, key), checkId);
    return { kind: "refused", reason: why };
  }
  // The run's id is what lets its completion close this check: a run merely named `flibs promote <id>` cannot.
  if (run.runId !== undefined) {
    await writeCheck(
      octokit,
      repo,
      id.sha,
      { ...promoting, summary: `${summary}\n${formatRunMarker(run.runId)}`, ...(run.htmlUrl ? { detailsUrl: run.htmlUrl } : {}) },
      checkId,
    );
  }
  return { kind: "promoting", id, digest, from: p.from, deploymentId, checkId };
}

/** The promote caller's run finished: close `flibs/promote` and the deployment. False when it is not ours or done. */
export async function completePromotion(
  octokit: GitHubClient,
  repo: RepoRef,
  run: { id: number; display_title?: string | null; conclusion?: string | null; html_url: string; path?: string | null; event?: string | null; triggering_actor?: { login: string } | null; actor?: { login: string } | null },
): Promise<boolean> {
  const id = findPromotionId(run.display_title);
  if (!id) return false;
  const p = promoteChecks(await listCheckRuns(octokit, repo, id.sha)).find((x) => x.key.id.sha === id.sha && x.key.id.attempt === id.attempt);
  if (!p || p.check.status === "completed") return false;
  const recorded = parseRunMarker(p.check.output?.summary);
  let identity: RunIdentity;
  if (recorded !== undefined) identity = ownRun({ run: { id: run.id }, recordedRunId: recorded, workflow: "" });
  else {
    const [policy, appLogin] = await Promise.all([readOrgPolicy(octokit, repo.owner), ownAppLogin(octokit)]);
    const facts = { id: run.id, path: run.path ?? null, event: run.event ?? null, actor: run.triggering_actor?.login ?? run.actor?.login ?? null };
    identity = ownRun({ run: facts, workflow: policy.policy.promote.workflow, ...(appLogin ? { appLogin } : {}) });
  }
  if (!identity.ok) return false;
  const stable = parseStableMarker(p.check.output?.summary);
  const ok = run.conclusion === "success";
  if (p.key.deploymentId !== undefined) {
    await setDeploymentStatus(octokit, repo, p.key.deploymentId, {
      state: ok ? "success" : "failure",
      description: ok ? `promoted ${stable ?? ""}` : `the promote run ended ${run.conclusion ?? "without a conclusion"}`,
      ...(ok && stable && referenceUrl(stable) ? { environmentUrl: referenceUrl(stable)! } : {}),
      logUrl: run.html_url,
    });
  }
  await writeCheck(
    octokit,
    repo,
    id.sha,
    {
      name: PROMOTE_CHECK,
      status: "completed",
      conclusion: ok ? "success" : run.conclusion === "cancelled" ? "cancelled" : "failure",
      externalId: formatPromotionKey(p.key),
      title: ok ? `Promoted to ${stable ?? "the stable registry"}` : `Promotion ${run.conclusion ?? "failed"}`,
      summary: ok
        ? `✅ Promoted: ${inlineCode(stable ?? "")}. [Run log](${encodeURI(run.html_url)})`
        : `❌ The promote run ended ${inlineCode(run.conclusion ?? "unknown")}: see [its log](${encodeURI(run.html_url)}).`,
      detailsUrl: run.html_url,
    },
    p.check.id,
  );
  return true;
}

export interface PromoteCommandResult {
  ok: boolean;
  /** What to tell the commenter: why it was refused, or what happens now. */
  message: string;
  outcome?: PromotionOutcome;
}

/**
 * `/promote` on a pull request: authorised by `policy.promote.permission`, then the PR's merge commit is promoted
 * (or built first) exactly as a merge would be, as a new attempt. Pass `permission`/`policy` when already read.
 */
export async function handlePromoteCommand(args: {
  octokit: GitHubClient;
  repo: RepoRef;
  pr: number;
  actor: string;
  permission?: Permission | "none";
  policy?: Policy;
}): Promise<PromoteCommandResult> {
  const { octokit, repo, pr } = args;
  let policy = args.policy;
  if (!policy) {
    const read = await readOrgPolicy(octokit, repo.owner);
    if (!read.ok) return { ok: false, message: read.message };
    policy = read.policy;
  }
  const permission = args.permission ?? (await readPermission(octokit, repo, args.actor));
  const auth = authorize({ name: "promote" }, args.actor, permission, policy);
  if (!auth.allowed) return { ok: false, message: auth.reason };
  const pull = await readPullRequest(octokit, repo, pr);
  if (!pull.merged || !pull.mergeCommitSha) return { ok: false, message: `#${pr} is not merged: flibs promotes what reached ${pull.defaultBranch}, so merge it and its merge is promoted` };
  if (pull.base !== pull.defaultBranch) return { ok: false, message: `#${pr} was merged into ${pull.base}, not the default branch ${pull.defaultBranch}` };
  const sha = pull.mergeCommitSha;
  const outcome = await promoteCommit(octokit, { repo, sha, tree: await commitTree(octokit, repo, sha), ref: `refs/heads/${pull.defaultBranch}`, trigger: "command", policy });
  return { ok: outcome.kind === "promoting" || outcome.kind === "building-first" || outcome.kind === "waiting", message: describeOutcome(outcome), outcome };
}

export function describeOutcome(o: PromotionOutcome): string {
  switch (o.kind) {
    case "promoting":
      return `promoting ${o.digest} (tested on ${o.from.slice(0, 12)}); deployment ${o.deploymentId}`;
    case "duplicate":
    case "skipped":
    case "building-first":
    case "waiting":
    case "refused":
      return o.reason;
  }
}

function shortRef(ref: string): string {
  return ref.replace(/^refs\/(heads|tags)\//, "");
}

const RELEASE_TAG = /^v\d/;

/** One promotion step at a time per commit in this replica; GitHub's state decides between replicas. */
class PerCommit {
  private readonly chains = new Map<string, Promise<unknown>>();
  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.chains.get(key) ?? Promise.resolve();
    const mine = before.then(work, work);
    const tail = mine.catch(() => undefined);
    this.chains.set(key, tail);
    void tail.finally(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
    return await mine;
  }
}

export function registerPromotion(app: Probot, deliveries: DeliveryWork): void {
  const serial = new PerCommit();
  const forCommit = <T>(repo: RepoRef, sha: string, work: () => Promise<T>) => serial.run(`${repo.owner}/${repo.repo}@${sha}`, work);
  const log = (context: Context, outcome: PromotionOutcome | PromotionOutcome[] | boolean) => context.log.info({ outcome }, "flibs/promote");

  app.on("push", async (context) => {
    await deliveries.run(context.log, "flibs/promote (push)", async () => {
      const p = context.payload;
      if (p.deleted) return;
      const isDefault = p.ref === `refs/heads/${p.repository.default_branch}`;
      const isRelease = p.ref.startsWith("refs/tags/") && RELEASE_TAG.test(p.ref.slice("refs/tags/".length));
      if (!isDefault && !isRelease) return;
      const repo = context.repo();
      const octokit = await installationOctokit(app, context);
      // A tag's `after` may be an annotated tag object: ask GitHub for the commit it names.
      const target = isDefault && p.head_commit ? { sha: p.after, tree: p.head_commit.tree_id } : await resolveCommit(octokit, repo, p.ref);
      const outcome = await forCommit(repo, target.sha, () => promoteCommit(octokit, { repo, ...target, ref: p.ref, trigger: "event" }));
      log(context, outcome);
    });
  });

  app.on("release.published", async (context) => {
    await deliveries.run(context.log, "flibs/promote (release)", async () => {
      const release = context.payload.release;
      if (release.draft || !RELEASE_TAG.test(release.tag_name)) return;
      const repo = context.repo();
      const octokit = await installationOctokit(app, context);
      const ref = `refs/tags/${release.tag_name}`;
      const target = await resolveCommit(octokit, repo, ref);
      const outcome = await forCommit(repo, target.sha, () => promoteCommit(octokit, { repo, ...target, ref, trigger: "event" }));
      log(context, outcome);
    });
  });

  app.on("workflow_run.completed", async (context) => {
    const run = context.payload.workflow_run;
    const promotion = findPromotionId(run.display_title);
    const build = promotion ? undefined : findBuildId(run.display_title);
    if (!promotion && (!build || build.scratch || run.conclusion !== "success")) return;
    await deliveries.run(context.log, "flibs/promote (workflow_run)", async () => {
      const repo = context.repo();
      const octokit = await installationOctokit(app, context);
      if (promotion) log(context, await forCommit(repo, promotion.sha, () => completePromotion(octokit, repo, run)));
      else if (build) log(context, await forCommit(repo, build.sha, () => resumePromotions(octokit, repo, build.sha)));
    });
  });

  // flibs/build closes on the build's workflow_run, maybe after the event above was handled: its completion resumes too.
  app.on("check_run.completed", async (context) => {
    const check = context.payload.check_run;
    if (check.name !== BUILD_CHECK) return;
    await deliveries.run(context.log, "flibs/promote (check_run)", async () => {
      const repo = context.repo();
      const octokit = await installationOctokit(app, context);
      log(context, await forCommit(repo, check.head_sha, () => resumePromotions(octokit, repo, check.head_sha)));
    });
  });
}
