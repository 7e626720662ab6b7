import { parseContainerConfig, type ContainerConfig, type Policy } from "../core/config/index.js";
import { describeError } from "../core/errors.js";
import { escapeCell } from "../core/markdown.js";
import type { BuildId } from "../core/plan/build-id.js";
import { planBuild, type BuildPlan } from "../core/plan/dispatch.js";
import type { Arch } from "../core/platform.js";
import { buildCheck, queuedBuildSummary, queuedBuildTitle } from "../core/report/build-check.js";
import type { BuildPlanRecord } from "../core/report/plan-marker.js";
import { writeCheck } from "../github/checks.js";
import type { CommitState } from "../github/commit-state.js";
import { dispatchWorkflow } from "../github/workflows.js";
import type { Scope } from "./scope.js";

export interface NoBuild {
  text: string;
  kind: "config" | "review-only" | "setup";
}

/** The facts a build needs, or why there is no build (then only the review runs). */
export function buildSetup(
  state: Pick<CommitState, "policy" | "containerYaml">,
): { config: ContainerConfig; policy: Policy } | { skip: NoBuild } {
  if (!state.policy.ok) return { skip: { text: state.policy.message, kind: "setup" } };
  // Without a candidate registry there is nowhere to push to, nor to read the built index back from.
  if (!state.policy.policy.registries)
    return { skip: { text: "the organisation policy names no registries.candidate: review only", kind: "review-only" } };
  const parsed = parseContainerConfig(state.containerYaml?.text ?? "");
  if (!parsed.ok) return { skip: { text: "container.yaml is invalid (see flibs/review)", kind: "config" } };
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
 * Creates `flibs/build` (queued, its plan in the summary), dispatches the caller workflow, then records the run
 * GitHub started in the check (its link, and its id in the plan: what makes the run's jobs flibs' own): three
 * writes. Per-arch checks appear when GitHub queues each arch's job. A refused dispatch closes the check as a
 * failure that says why.
 */
export async function startBuild(scope: Scope, b: StartBuild): Promise<BuildPlan | { problem: string }> {
  const pr = b.pr !== undefined ? { pr: b.pr } : {};
  const full = planBuild({ id: b.id, config: b.config, policy: b.policy, ...pr });
  const plan = b.only
    ? planBuild({ id: b.id, config: b.config, policy: b.policy, only: b.only, ...(b.kept ? { kept: b.kept } : {}), ...pr })
    : full;
  if (plan.arches.length === 0) {
    return {
      problem:
        full.arches.length === 0
          ? "container.yaml's platforms leave no arch the organisation builds"
          : `none of ${b.only?.join(", ")} is a planned arch (${full.arches.join(", ")})`,
    };
  }
  const record = (run?: number): BuildPlanRecord => ({
    arches: full.arches,
    building: plan.arches,
    kept: plan.kept,
    ...pr,
    ...(run !== undefined ? { run } : {}),
  });
  const title = queuedBuildTitle(plan.arches);
  const { octokit, repo } = scope;
  const checkId = await writeCheck(
    octokit,
    repo,
    { sha: b.id.sha },
    {
      name: buildCheck.name,
      externalId: buildCheck.externalId(b.id),
      status: "queued",
      title,
      summary: queuedBuildSummary(b.id, b.why, record()),
    },
  );
  let run;
  try {
    run = await dispatchWorkflow(octokit, repo, plan.workflow, b.dispatchRef, { ...plan.inputs });
  } catch (e) {
    const problem = describeError(e);
    const summary = `❌ ${escapeCell(problem, 2000)}\n\nThis is not the pull request's doing: the container repo's caller workflow or flibs' access to it needs fixing; then comment \`/build\`.\n${queuedBuildSummary(b.id, b.why, record())}`;
    await writeCheck(
      octokit,
      repo,
      { id: checkId },
      { status: "completed", conclusion: "failure", title: "The build could not start", summary },
    );
    return { problem };
  }
  if (run.runId !== undefined) {
    await writeCheck(
      octokit,
      repo,
      { id: checkId },
      {
        status: "queued",
        ...(run.htmlUrl ? { detailsUrl: run.htmlUrl } : {}),
        title,
        summary: queuedBuildSummary(b.id, b.why, record(run.runId)),
      },
    );
  }
  return plan;
}
