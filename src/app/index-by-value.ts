import { parseContainerConfig } from "../core/config/index.js";
import { describeError, isFlibsError } from "../core/errors.js";
import { parseRepository } from "../core/oci/reference.js";
import { formatBuildId, parseBuildJobName, type BuildId } from "../core/plan/build-id.js";
import type { Arch } from "../core/platform.js";
import type { BuildProblem } from "../core/report/build-summary.js";
import { verifyIndexCustody } from "../core/report/custody.js";
import { imageSize, indexArches } from "../core/report/index-results.js";
import { archDigestNotice, indexDigestNotice } from "../core/report/job-notices.js";
import type { BuildPlanRecord } from "../core/report/plan-marker.js";
import { readCommitState } from "../github/commit-state.js";
import { jobAnnotations, listRunJobs, type RunJob } from "../github/workflows.js";
import type { Scope } from "./scope.js";

export interface IndexByValue {
  /** The tested digest of each arch (reported by its job, or kept from the earlier attempt). */
  digests: Map<Arch, string>;
  sizes: Map<Arch, number>;
  /** This attempt's job of each arch it built, as the completed run lists it (absent: the jobs could not be read). */
  archJobs: Map<Arch, RunJob>;
  /** Set only when the index publish reported holds exactly the tested digests. */
  indexDigest?: string;
  indexRef?: string;
  /** What the run's publish job did (absent: it never ran). */
  publish?: { conclusion: string | null };
  problem?: BuildProblem;
}

/**
 * The index of a build, by value: the digests the run's arch jobs and its publish job reported in their
 * annotations (src/core/report/job-notices.ts), the index read back from the candidate registry by that digest,
 * and its children checked against the tested digests (src/core/report/custody.ts). A tag is never read.
 */
export async function readIndexByValue(
  scope: Scope,
  a: { id: BuildId; run: { id: number; conclusion: string | null }; plan: BuildPlanRecord | undefined },
): Promise<IndexByValue> {
  const { octokit, repo } = scope;
  const out: IndexByValue = { digests: new Map(), sizes: new Map(), archJobs: new Map() };
  const pr = (text: string): BuildProblem => ({ text, setup: false });
  if (!a.plan) return { ...out, problem: pr("flibs/build lost its plan: build again with /build") };
  const plan = a.plan;
  try {
    const jobs = (await listRunJobs(octokit, repo, a.run.id)).map((j) => ({ job: j, parsed: parseBuildJobName(j.name) }));
    const own = jobs.filter((j) => j.parsed && formatBuildId(j.parsed.id) === formatBuildId(a.id));
    for (const { job, parsed } of own) {
      if (parsed?.kind !== "arch" || !plan.building.includes(parsed.arch)) continue;
      // Two jobs for one arch (a run not shaped as flibs shapes it): one that did not pass is the arch's result.
      const earlier = out.archJobs.get(parsed.arch);
      if (!earlier || earlier.conclusion === "success") out.archJobs.set(parsed.arch, job);
    }
    const reported = new Map<Arch, string>();
    for (const { job, parsed } of own) {
      if (parsed?.kind !== "arch" || job.conclusion !== "success" || !plan.building.includes(parsed.arch)) continue;
      const notice = archDigestNotice(await jobAnnotations(octokit, repo, job), parsed.arch);
      if (!notice.ok) return { ...out, problem: pr(`the ${parsed.arch} job's report cannot be trusted: ${notice.reason}`) };
      if (notice.value) reported.set(parsed.arch, notice.value);
    }
    for (const arch of plan.arches) {
      const d = plan.building.includes(arch) ? reported.get(arch) : plan.kept?.[arch];
      if (d) out.digests.set(arch, d);
    }
    const publish = own.find((j) => j.parsed?.kind === "publish");
    if (publish) out.publish = { conclusion: publish.job.conclusion };
    if (publish?.job.conclusion !== "success") {
      // An arch that failed already explains the missing index (the summary says it once).
      const archFailed = own.some((j) => j.parsed?.kind === "arch" && j.job.conclusion !== "success");
      if (archFailed) return out;
      return {
        ...out,
        problem: pr(
          publish
            ? `the publish job ended ${publish.job.conclusion ?? "without a conclusion"}: no index was published`
            : "no publish job ran: no index was published",
        ),
      };
    }
    const notice = indexDigestNotice(await jobAnnotations(octokit, repo, publish.job));
    if (!notice.ok || !notice.value)
      return { ...out, problem: pr(`the publish job reported no index digest${notice.ok ? "" : ` (${notice.reason})`}`) };
    const state = await readCommitState(octokit, repo, a.id.sha);
    const config = parseContainerConfig(state.containerYaml?.text ?? "");
    const registries = state.policy.policy.registries;
    if (!config.ok) return { ...out, problem: pr("container.yaml cannot be read") };
    if (!registries) return { ...out, problem: { text: "the organisation policy names no registries.candidate", setup: true } };
    const repository = parseRepository(`${registries.candidate}/${config.value.image ?? repo.repo}`);
    const client = await scope.registry.client(registries.insecure);
    const fetched = await client.getManifest({ ...repository, digest: notice.value });
    if (fetched.manifest.kind !== "index") return { ...out, problem: pr(`${notice.value} is a single-arch manifest, not an index`) };
    const children = indexArches(fetched.manifest);
    const custody = verifyIndexCustody({ planned: plan.arches, building: plan.building, reported, kept: plan.kept ?? {}, children });
    if (!custody.ok) return { ...out, problem: pr(`the published index does not hold what was tested: ${custody.reason}`) };
    for (const { arch, digest } of children) {
      const m = await client.getManifest({ ...repository, digest });
      if (m.manifest.kind === "manifest") out.sizes.set(arch, imageSize(m.manifest));
    }
    return { ...out, indexDigest: notice.value, indexRef: `${repository.registry}/${repository.repository}` };
  } catch (e) {
    // An index the publish job named but the registry does not hold is the run's doing; the registry refusing or
    // failing the App (credentials, outage) is flibs' setup, not the pull request.
    const absent = isFlibsError(e) && e.code === "not-found";
    return {
      ...out,
      problem: {
        text: `the index could not be read: ${describeError(e)}${absent ? " (the publish job reported a digest the candidate registry does not hold)" : ""}`,
        setup: !absent,
      },
    };
  }
}
