import type { Context, Probot } from "probot";
import { BUILD_CHECK } from "../core/plan/build-id.js";
import { commitBuilds, gateExternalId } from "../core/plan/builds.js";
import { decideGate } from "../core/plan/gate.js";
import type { BuildPlan } from "../core/plan/dispatch.js";
import { weakest } from "../core/permissions.js";
import { cancelledBuild, noBuildCheck } from "../core/report/build-check.js";
import { REVIEW_CHECK_NAME } from "../core/report/review-check.js";
import { writeCheck } from "../github/checks.js";
import { readCommitState, type CommitState } from "../github/commit-state.js";
import { readPermission } from "../github/permissions.js";
import { cancelRuns } from "../github/workflows.js";
import { parsePlanMarker } from "../core/report/plan-marker.js";
import { listChecks } from "../github/checks.js";
import { publishReview, publishReviewFailure } from "./review.js";
import { scopeOf, type Flibs, type Scope } from "./scope.js";
import { buildSetup, startBuild } from "./start-build.js";

export const PULL_REQUEST_EVENTS = ["pull_request.opened", "pull_request.synchronize", "pull_request.reopened"] as const;

export type GateOutcome =
  { kind: "skipped" | "duplicate" | "waiting" | "failed"; reason: string } | { kind: "dispatched"; plan: BuildPlan };

interface PullFacts {
  number: number;
  sha: string;
  author: string;
  /** Who pushed the head (`sender` of a `synchronize`). */
  pusher?: string;
  fromFork: boolean;
  defaultBranch: string;
  htmlUrl: string;
}

/**
 * `pull_request` opened/synchronize/reopened: one read of the commit (files, policy, checks), the review check,
 * then the gate and the build. A delivery about an older head builds nothing (it would cancel the newer build
 * through the PR's concurrency group).
 */
export async function onPullRequest(app: Probot, context: Context<"pull_request">, flibs: Flibs): Promise<GateOutcome | undefined> {
  const p = context.payload;
  const scope = await scopeOf(app, context, flibs);
  const sha = p.pull_request.head.sha;
  return await scope.forCommit(sha, async () => {
    let state: CommitState;
    try {
      state = await readCommitState(scope.octokit, scope.repo, sha, p.pull_request.number);
    } catch (e) {
      await publishReviewFailure(scope, sha, e);
      return undefined;
    }
    if (!state.checks.some((c) => c.name === REVIEW_CHECK_NAME)) await publishReview(scope, state);
    if (state.pullHead && state.pullHead !== sha)
      return {
        kind: "skipped",
        reason: `${sha.slice(0, 12)} is no longer the head of #${p.pull_request.number} (${state.pullHead.slice(0, 12)} is)`,
      };
    const outcome = await gateAndBuild(scope, state, {
      number: p.pull_request.number,
      sha,
      author: p.pull_request.user?.login ?? "",
      ...(p.action === "synchronize" ? { pusher: p.sender.login } : {}),
      fromFork: p.pull_request.head.repo?.full_name !== p.pull_request.base.repo.full_name,
      defaultBranch: p.repository.default_branch,
      htmlUrl: p.pull_request.html_url,
    });
    scope.log.info({ sha, outcome: outcome.kind, reason: "reason" in outcome ? outcome.reason : undefined }, "flibs/build");
    return outcome;
  });
}

/**
 * A PR's head builds at once when its author (and its pusher) may build, else `flibs/build` waits (action_required)
 * for `/ok-to-test` on this very SHA. Whatever a check on the SHA already says wins: a duplicate does nothing.
 */
async function gateAndBuild(scope: Scope, state: CommitState, pull: PullFacts): Promise<GateOutcome> {
  const existing = state.checks.some((c) => c.name === BUILD_CHECK);
  const setup = buildSetup(state);
  if ("skip" in setup) {
    // A required flibs/build must not wait forever: in an organisation that builds, an invalid container.yaml
    // completes it with the reason. A review-only organisation requires no build, and a policy flibs cannot read
    // is reported by flibs/review: neither gets a flibs/build.
    if (!existing && setup.skip.kind === "config")
      await writeCheck(scope.octokit, scope.repo, { sha: pull.sha }, noBuildCheck(pull.sha, setup.skip));
    return { kind: "skipped", reason: setup.skip.text };
  }
  const builds = commitBuilds(pull.sha, state.checks);
  if (builds.builds.length || builds.waitingForApproval)
    return { kind: "duplicate", reason: `flibs/build already exists on ${pull.sha.slice(0, 12)}` };
  const pusher = pull.pusher && pull.pusher.toLowerCase() !== pull.author.toLowerCase() ? pull.pusher : undefined;
  const read = (u: string) => readPermission(scope.octokit, scope.repo, u);
  const authorPermission = !pull.fromFork
    ? "write"
    : pusher
      ? weakest(...(await Promise.all([read(pull.author), read(pusher)])))
      : await read(pull.author);
  const gate = decideGate({ authorPermission, fromFork: pull.fromFork, headSha: pull.sha, approvedShas: [], policy: setup.policy });
  if (!gate.build) {
    await writeCheck(
      scope.octokit,
      scope.repo,
      { sha: pull.sha },
      {
        name: BUILD_CHECK,
        externalId: gateExternalId(pull.sha),
        status: "completed",
        conclusion: "action_required",
        title: "Waiting for /ok-to-test",
        summary: gate.message,
        detailsUrl: pull.htmlUrl,
      },
    );
    return { kind: "waiting", reason: gate.message };
  }
  const started = await startBuild(scope, {
    id: { sha: pull.sha, attempt: builds.nextAttempt, scratch: false },
    ...setup,
    pr: pull.number,
    dispatchRef: pull.defaultBranch,
    why: `Building the head of #${pull.number}.`,
  });
  return "problem" in started ? { kind: "failed", reason: started.problem } : { kind: "dispatched", plan: started };
}

/**
 * `pull_request.closed` without a merge: the head's builds still running are cancelled, freeing the self-hosted
 * runners, and `flibs/build` says why (a merged PR's build is left alone: its promotion may be waiting for it).
 */
export async function onPullRequestClosed(app: Probot, context: Context<"pull_request.closed">, flibs: Flibs): Promise<number[]> {
  const pr = context.payload.pull_request;
  if (pr.merged) return [];
  const scope = await scopeOf(app, context, flibs);
  return await cancelBuildsOf(scope, pr.head.sha, { by: "close" });
}

/** Cancels the commit's running builds and closes their `flibs/build` saying by what. Returns the runs cancelled. */
export async function cancelBuildsOf(scope: Scope, sha: string, cause: Parameters<typeof cancelledBuild>[0]): Promise<number[]> {
  const state = await readCommitState(scope.octokit, scope.repo, sha);
  const setup = buildSetup(state);
  if ("skip" in setup) return [];
  const builds = commitBuilds(sha, state.checks).builds;
  const running = (await listChecks(scope.octokit, scope.repo, sha, BUILD_CHECK)).filter(
    (c) => c.status !== "completed" && builds.some((b) => b.check.id === c.id),
  );
  const cancelled = await cancelRuns(
    scope.octokit,
    scope.repo,
    setup.policy.build.workflow,
    running.map((c) => ({
      id: builds.find((b) => b.check.id === c.id)!.id,
      ...(parsePlanMarker(c.summary)?.run !== undefined ? { run: parsePlanMarker(c.summary)!.run! } : {}),
    })),
  );
  const text = cancelledBuild(cause);
  for (const c of running)
    await writeCheck(
      scope.octokit,
      scope.repo,
      { id: c.id },
      {
        status: "completed",
        conclusion: "cancelled",
        title: text.title,
        summary: `${text.summary}\n${c.summary?.match(/<!-- flibs:plan [^\n]*-->/)?.[0] ?? ""}`,
      },
    );
  if (cancelled.length) scope.log.info({ sha, runs: cancelled }, "flibs/build: running builds cancelled");
  return cancelled;
}
