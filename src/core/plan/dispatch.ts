import { plannedArches, runnerLabels, type ContainerConfig, type Policy } from "../config/index.js";
import type { Arch } from "../platform.js";
import { formatBuildId, type BuildId } from "./build-id.js";

/**
 * What the organisation policy says about one build, sent as the caller workflow's `policy` input (one JSON
 * string, so a new policy key never means editing every container repo's caller). The policy is the one source
 * of truth: the review checked the Dockerfile against these very values, and the build pushes where the App
 * will read the index back from.
 */
export interface BuildPolicyInput {
  /** Candidate repository prefix (`registries.candidate`). */
  candidate: string;
  /** Hosts reached over plain HTTP (`registries.insecure`). */
  insecure_registries: string[];
  /** Hosts or host/namespace prefixes a FROM may name (`approved_base_registries`). */
  approved_registries: string[];
  component_drift: Policy["build"]["component_drift"];
  /** How a RUN step is confined (`build.isolation`): `oci`, or `chroot` on ephemeral runners only. */
  isolation: Policy["build"]["isolation"];
  /** `runs-on` labels of each arch built. */
  runner_labels: Partial<Record<Arch, string[]>>;
  /** `runs-on` labels of the prepare and publish jobs. */
  control_runner: string[];
}

/**
 * The inputs of the container repo's caller workflow (`workflow_dispatch`). Every value is one the App produced:
 * a SHA it read from GitHub, arch names from config, values of the organisation policy, a build id it formatted.
 * No PR title, branch name or comment text ever goes in (workflow_dispatch inputs are strings).
 */
export interface DispatchInputs {
  sha: string;
  arches: string;
  /**
   * JSON arch -> digest of the planned arches a `/retest` does not rebuild, as their earlier, tested build
   * reported them: the publish job puts them in the index next to the rebuilt ones. Absent for a whole build.
   */
  index_digests?: string;
  build_id: string;
  pr: string;
  scratch: string;
  /** JSON of {@link BuildPolicyInput}. */
  policy: string;
}

export interface BuildPlan {
  id: BuildId;
  /** The arches this build builds. */
  arches: Arch[];
  /** The planned arches it does not rebuild, with the tested digest the index takes for each. */
  kept: Partial<Record<Arch, string>>;
  inputs: DispatchInputs;
  workflow: string;
}

export function buildPolicyInput(policy: Policy, arches: readonly Arch[]): BuildPolicyInput {
  return {
    candidate: policy.registries?.candidate ?? "",
    insecure_registries: policy.registries?.insecure ?? [],
    approved_registries: policy.approved_base_registries,
    component_drift: policy.build.component_drift,
    isolation: policy.build.isolation,
    runner_labels: Object.fromEntries(arches.map((a) => [a, runnerLabels(policy, a)])),
    control_runner: policy.runner_labels.control,
  };
}

export function planBuild(args: {
  id: BuildId;
  config: ContainerConfig;
  policy: Policy;
  pr?: number;
  /** `/retest aarch64`: only these arches (still filtered through the plan). */
  only?: readonly Arch[];
  /** The tested digests of earlier attempts: a planned arch not rebuilt keeps its own; one without is rebuilt. */
  kept?: Partial<Record<Arch, string>>;
}): BuildPlan {
  const planned = plannedArches(args.config, args.policy);
  const asked = args.only?.length ? planned.filter((a) => args.only!.includes(a)) : planned;
  // An arch the index needs but whose tested digest is unknown cannot be kept: it is built again.
  const arches = asked.length ? planned.filter((a) => asked.includes(a) || !args.kept?.[a]) : asked;
  const kept = Object.fromEntries(planned.filter((a) => !arches.includes(a)).map((a) => [a, args.kept![a]!]));
  return {
    id: args.id,
    arches,
    kept,
    workflow: args.policy.build.workflow,
    inputs: {
      sha: args.id.sha,
      arches: JSON.stringify(arches),
      ...(arches.length < planned.length ? { index_digests: JSON.stringify(kept) } : {}),
      build_id: formatBuildId(args.id),
      pr: args.pr === undefined ? "" : String(args.pr),
      scratch: String(args.id.scratch),
      policy: JSON.stringify(buildPolicyInput(args.policy, arches)),
    },
  };
}
