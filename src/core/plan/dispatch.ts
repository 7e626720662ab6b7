import { plannedArches, runnerLabels, type ContainerConfig, type Policy } from "../config/index.js";
import type { Arch } from "../platform.js";
import { formatBuildId, type BuildId } from "./build-id.js";

/**
 * The inputs of the container repo's caller workflow (`workflow_dispatch`). Every value is one the App produced:
 * a SHA it read from GitHub, arch names from config, runner labels from policy, a build id it formatted. No PR
 * title, branch name or comment text ever goes in (workflow_dispatch inputs are strings).
 */
export interface DispatchInputs {
  sha: string;
  arches: string;
  /**
   * Every planned arch, sent only when some are rebuilt (`/retest aarch64`): the publish job then builds the
   * index from the rebuilt arches and the others' per-arch tags. Absent otherwise, so a caller workflow from
   * before this input existed still accepts a first build.
   */
  index_arches?: string;
  runner_labels: string;
  build_id: string;
  pr: string;
  scratch: string;
}

export interface BuildPlan {
  id: BuildId;
  arches: Arch[];
  inputs: DispatchInputs;
  workflow: string;
}

export function planBuild(args: {
  id: BuildId;
  config: ContainerConfig;
  policy: Policy;
  pr?: number;
  /** `/retest aarch64`: only these arches (still filtered through the plan). */
  only?: readonly Arch[];
}): BuildPlan {
  const planned = plannedArches(args.config, args.policy);
  const arches = args.only?.length ? planned.filter((a) => args.only!.includes(a)) : planned;
  const labels = Object.fromEntries(arches.map((a) => [a, runnerLabels(args.policy, a)]));
  return {
    id: args.id,
    arches,
    workflow: args.policy.build.workflow,
    inputs: {
      sha: args.id.sha,
      arches: JSON.stringify(arches),
      ...(arches.length < planned.length ? { index_arches: JSON.stringify(planned) } : {}),
      runner_labels: JSON.stringify(labels),
      build_id: formatBuildId(args.id),
      pr: args.pr === undefined ? "" : String(args.pr),
      scratch: String(args.id.scratch),
    },
  };
}
