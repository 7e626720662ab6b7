import type { Context, Probot } from "probot";
import { parseContainerConfig, type ContainerConfig, type Policy } from "../core/config/index.js";
import { describeError } from "../core/errors.js";
import { escapeCell, inlineCode } from "../core/markdown.js";
import { BUILD_CHECK, externalId, SUMMARY, type BuildId } from "../core/plan/build-id.js";
import { commitBuilds, gateExternalId } from "../core/plan/builds.js";
import { planBuild, type BuildPlan } from "../core/plan/dispatch.js";
import { decideGate } from "../core/plan/gate.js";
import { weakest } from "../core/permissions.js";
import type { Arch } from "../core/platform.js";
import { formatPlanMarker } from "../core/report/plan-marker.js";
import { cancelRunningBuilds, createCheck, updateCheck } from "../github/build.js";
import { publishCompletedCheck } from "../github/checks.js";
import { readCommitState, type CommitState } from "../github/commit-state.js";
import { installationOctokit, type GitHubClient, type RepoRef } from "../github/octokit.js";
import { readPermission } from "../github/promote.js";
import { dispatchWorkflow } from "../github/workflows.js";
import { REVIEW_CHECK_NAME } from "../github/review-check.js";
import { reviewOutput } from "./review.js";

/** The facts a build needs, or why there is no build (then only the review runs). */
export function buildSetup(state: CommitState): { config: ContainerConfig; policy: Policy } | { skip: string } {
  if (!state.policy.ok) return { skip: state.policy.message };
  // Without a candidate registry there is nowhere to push to, nor to read the built index back from.
  if (!state.policy.policy.registries) return { skip: "the organisation policy names no registries.candidate: review only" };
  const parsed = parseContainerConfig(state.containerYaml?.text ?? "");
  if (!parsed.ok) return { skip: "container.yaml is invalid (see flibs/review)" };
  return { config: parsed.value, policy: state.policy.policy };
}

export interface StartBuild {
  id: BuildId;
  config: ContainerConfig;
  policy: Policy;
  pr?: number;
  /** The branch the caller workflow is run from: the default branch (workflow_dispatch runs the file at `ref`). */
  dispatchRef: string;
  /** `/retest`: only these arches are built; the summary still expects every planned arch. */
  only?: readonly Arch[];
  /** `/retest`: the tested digests of the earlier attempt, for the arches it keeps. */
  kept?: Partial<Record<Arch, string>>;
  why: string;
}

/**
 * Creates `flibs/build` for the build (queued, its plan recorded in the summary) and dispatches the caller
 * workflow, then records the run GitHub started in it: three writes. Per-arch checks appear when GitHub queues each arch's job (`workflow_job.queued`).
 * A dispatch GitHub refuses closes the check as a failure that says why.
 */
export async function startBuild(octokit: GitHubClient, repo: RepoRef, b: StartBuild): Promise<BuildPlan | { problem: string }> {
  const full = planBuild({ id: b.id, config: b.config, policy: b.policy, ...(b.pr !== undefined ? { pr: b.pr } : {}) });
  const plan = b.only ? planBuild({ id: b.id, config: b.config, policy: b.policy, only: b.only, ...(b.kept ? { kept: b.kept } : {}), ...(b.pr !== undefined ? { pr: b.pr } : {}) }) : full;
  const sha = b.id.sha;
  const name = BUILD_CHECK;
  const ext = externalId(b.id, SUMMARY);
  if (plan.arches.length === 0) {
    const problem = full.arches.length === 0 ? "container.yaml's platforms leave no arch the organisation builds" : `none of ${b.only?.join(", ")} is a planned arch (${full.arches.join(", ")})`;
    return { problem };
  }
  const summary = (run?: number) =>
    [
      `${escapeCell(b.why, 500)}`,
      "",
      `Build ${inlineCode(plan.inputs.build_id)}${b.id.scratch ? " (scratch: never promoted)" : ""}: ${plan.arches.map((a) => inlineCode(a)).join(", ")}` +
        (plan.arches.length < full.arches.length ? `; the index keeps ${full.arches.filter((a) => !plan.arches.includes(a)).join(", ")} as tested in the earlier attempt` : ""),
      formatPlanMarker({ arches: full.arches, building: plan.arches, kept: plan.kept, ...(b.pr !== undefined ? { pr: b.pr } : {}), ...(run !== undefined ? { run } : {}) }),
    ].join("\n");
  const title = `Queued: ${plan.arches.join(", ")}`;
  const checkId = await createCheck(octokit, repo, sha, { name, externalId: ext, status: "queued", title, summary: summary() });
  let run;
  try {
    run = await dispatchWorkflow(octokit, repo, plan.workflow, b.dispatchRef, { ...plan.inputs });
  } catch (e) {
    const problem = describeError(e);
    await updateCheck(octokit, repo, checkId, { status: "completed", conclusion: "failure", output: { title: "The build could not start", summary: `❌ ${escapeCell(problem, 2000)}\n${summary()}` } });
    return { problem };
  }
  // The run's id is what makes its jobs flibs' own (names are not identity): recorded where every replica reads it.
  if (run.runId !== undefined) {
    await updateCheck(octokit, repo, checkId, { status: "queued", ...(run.htmlUrl ? { details_url: run.htmlUrl } : {}), output: { title, summary: summary(run.runId) } });
  }
  return plan;
}

export interface PullFacts {
  number: number;
  sha: string;
  author: string;
  /** Who pushed the head (`sender` of a `synchronize`); the author for an opened or reopened PR. */
  pusher?: string;
  fromFork: boolean;
  defaultBranch: string;
  htmlUrl: string;
}

export type GateOutcome = { kind: "skipped" | "duplicate" | "waiting" | "failed"; reason: string } | { kind: "dispatched"; plan: BuildPlan };

/**
 * Flow 2: a PR's head builds at once when its author may build, else `flibs/build` waits (action_required) for
 * `/ok-to-test` on this very SHA. Whatever a check on the SHA already says wins: a duplicate delivery does nothing.
 */
export async function gateAndBuild(octokit: GitHubClient, repo: RepoRef, state: CommitState, pull: PullFacts): Promise<GateOutcome> {
  const setup = buildSetup(state);
  if ("skip" in setup) return { kind: "skipped", reason: setup.skip };
  const builds = commitBuilds(pull.sha, state.checks);
  if (builds.builds.length || builds.waitingForApproval) return { kind: "duplicate", reason: `flibs/build already exists on ${pull.sha.slice(0, 12)}` };
  // A fork head is only as trusted as whoever put it there: its author, and who pushed it (a writer's fork can
  // receive pushes from anyone its owner lets push there).
  const pusher = pull.pusher && pull.pusher.toLowerCase() !== pull.author.toLowerCase() ? pull.pusher : undefined;
  const authorPermission = pull.fromFork
    ? pusher
      ? weakest(...(await Promise.all([readPermission(octokit, repo, pull.author), readPermission(octokit, repo, pusher)])))
      : await readPermission(octokit, repo, pull.author)
    : "write";
  const gate = decideGate({ authorPermission, fromFork: pull.fromFork, headSha: pull.sha, approvedShas: [], policy: setup.policy });
  if (!gate.build) {
    await createCheck(octokit, repo, pull.sha, {
      name: BUILD_CHECK,
      externalId: gateExternalId(pull.sha),
      status: "completed",
      conclusion: "action_required",
      title: "Waiting for /ok-to-test",
      summary: gate.message,
      detailsUrl: pull.htmlUrl,
    });
    return { kind: "waiting", reason: gate.message };
  }
  const started = await startBuild(octokit, repo, {
    id: { sha: pull.sha, attempt: builds.nextAttempt, scratch: false },
    ...setup,
    pr: pull.number,
    dispatchRef: pull.defaultBranch,
    why: `Building the head of #${pull.number}.`,
  });
  return "problem" in started ? { kind: "failed", reason: started.problem } : { kind: "dispatched", plan: started };
}

/**
 * `pull_request` opened/synchronize/reopened: one read of the commit (files, policy, checks), the review check,
 * then the gate and the build. A synchronize whose config did not change costs 4 calls (5 for a fork PR).
 */
export async function onPullRequest(app: Probot, context: Context<"pull_request">, serial: PerCommit): Promise<GateOutcome | undefined> {
  const pr = context.payload.pull_request;
  const repo = context.repo();
  const sha = pr.head.sha;
  const octokit = await installationOctokit(app, context);
  return await serial.run(`${repo.owner}/${repo.repo}@${sha}`, async () => {
    let state: CommitState;
    try {
      state = await readCommitState(octokit, repo, sha, pr.number);
    } catch (e) {
      context.log.warn({ err: e, sha }, "flibs/review could not run");
      await publishCompletedCheck(octokit, repo, {
        name: REVIEW_CHECK_NAME,
        headSha: sha,
        conclusion: "failure",
        title: `flibs review could not run: ${describeError(e)}`,
        summary: `❌ flibs could not review ${sha.slice(0, 12)}: ${escapeCell(describeError(e), 2000)}`,
        annotations: [],
      });
      return undefined;
    }
    if (!state.checks.some((c) => c.name === REVIEW_CHECK_NAME)) {
      await publishCompletedCheck(octokit, repo, { name: REVIEW_CHECK_NAME, headSha: sha, ...reviewOutput(state) });
    }
    // A delivery that arrives after a newer push (GitHub does not order deliveries) must not build, or its
    // build would cancel the newer head's through the PR's concurrency group.
    if (state.pullHead && state.pullHead !== sha) {
      context.log.info({ sha, head: state.pullHead }, "flibs/build: not the PR's head any more, not built");
      return { kind: "skipped", reason: `${sha.slice(0, 12)} is no longer the head of #${pr.number} (${state.pullHead.slice(0, 12)} is)` };
    }
    const outcome = await gateAndBuild(octokit, repo, state, {
      number: pr.number,
      sha,
      author: pr.user?.login ?? "",
      ...(context.payload.action === "synchronize" ? { pusher: context.payload.sender.login } : {}),
      fromFork: pr.head.repo?.full_name !== pr.base.repo.full_name,
      defaultBranch: context.payload.repository.default_branch,
      htmlUrl: pr.html_url,
    });
    context.log.info({ sha, outcome: outcome.kind, reason: "reason" in outcome ? outcome.reason : undefined }, "flibs/build");
    return outcome;
  });
}

/**
 * `pull_request.closed` without a merge: the head's builds still running are cancelled, freeing the self-hosted
 * runners (a merged PR's build is left alone: its promotion may be waiting for it). Returns the cancelled runs.
 */
export async function onPullRequestClosed(app: Probot, context: Context<"pull_request.closed">): Promise<number[]> {
  const pr = context.payload.pull_request;
  if (pr.merged) return [];
  const repo = context.repo();
  const octokit = await installationOctokit(app, context);
  const state = await readCommitState(octokit, repo, pr.head.sha);
  const setup = buildSetup(state);
  if ("skip" in setup) return [];
  const builds = commitBuilds(pr.head.sha, state.checks).builds;
  const cancelled = await cancelRunningBuilds(octokit, repo, setup.policy.build.workflow, builds);
  if (cancelled.length) context.log.info({ sha: pr.head.sha, runs: cancelled }, "flibs/build: closed pull request, running builds cancelled");
  return cancelled;
}

/** One step at a time per commit in this replica (three copies of one delivery arriving together); GitHub's state decides between replicas. */
export class PerCommit {
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
