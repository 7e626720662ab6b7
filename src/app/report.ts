import { homedir } from "node:os";
import type { Context, Probot } from "probot";
import { parseContainerConfig } from "../core/config/index.js";
import { describeError } from "../core/errors.js";
import { escapeCell, inlineCode } from "../core/markdown.js";
import { parseRepository } from "../core/oci/reference.js";
import { archCheckName, BUILD_CHECK, externalId, findBuildId, formatBuildId, parseBuildJobName, SUMMARY, type BuildId } from "../core/plan/build-id.js";
import { planArchChecks } from "../core/plan/builds.js";
import { ownRun, type RunFacts, type RunIdentity } from "../core/plan/run-identity.js";
import type { Arch } from "../core/platform.js";
import { summarizeBuild, type ArchResult, type BuildProblem } from "../core/report/build-summary.js";
import { imageSize, indexArches } from "../core/report/index-results.js";
import { jobCheckUpdate, type CheckState, type JobEvent } from "../core/report/job-check.js";
import { formatPlanMarker, parsePlanMarker, type BuildPlanRecord } from "../core/report/plan-marker.js";
import { formatDigestsMarker, verifyIndexCustody } from "../core/report/custody.js";
import { archDigestNotice, indexDigestNotice } from "../core/report/job-notices.js";
import { createCheck, listChecks, updateCheck } from "../github/build.js";
import { readCommitState } from "../github/commit-state.js";
import { installationOctokit, ownAppLogin, type GitHubClient, type RepoRef } from "../github/octokit.js";
import { readOrgPolicy } from "../github/policy.js";
import { jobAnnotations, listRunJobs, readRun } from "../github/workflows.js";
import { credentialFilePaths, loadCredentials, RegistryClient, type CredentialLookup } from "../registry/index.js";
import type { PerCommit } from "./build.js";

/** An arch's job of build.yml, whatever the caller's job is called (`build / build (aarch64) <id>`). */
export function archJob(name: string | null | undefined): { id: BuildId; arch: Arch } | undefined {
  const job = parseBuildJobName(name);
  return job?.kind === "arch" ? { id: job.id, arch: job.arch } : undefined;
}

/**
 * Whether the run is the one the App dispatched for this build: its id when `flibs/build` recorded it, else (no id
 * from GitHub Enterprise Server 3.20 and older, or a job event that beat the record to another replica) the run's
 * workflow file, event and actor. `facts` are read only when the id cannot decide.
 */
async function isOwnRun(octokit: GitHubClient, repo: RepoRef, runId: number, plan: BuildPlanRecord | undefined, facts: () => Promise<RunFacts>): Promise<RunIdentity> {
  if (plan?.run !== undefined) return ownRun({ run: { id: runId }, recordedRunId: plan.run, workflow: "" });
  const [run, policy, appLogin] = await Promise.all([facts(), readOrgPolicy(octokit, repo.owner), ownAppLogin(octokit)]);
  return ownRun({ run, workflow: policy.policy.build.workflow, ...(appLogin ? { appLogin } : {}) });
}

/** The `flibs/build` check of a build id (the newest, should a replica have written two). */
function summaryOf<C extends { name: string; external_id?: string | null; id: number }>(checks: readonly C[], id: BuildId): C | undefined {
  return checks.filter((c) => c.name === BUILD_CHECK && c.external_id === externalId(id, SUMMARY)).sort((a, b) => b.id - a.id)[0];
}

/**
 * `workflow_job` of an arch's build job: creates `flibs/build (<arch>)` when absent (normally on `queued`),
 * otherwise moves it forward only (jobCheckUpdate): late, duplicate or out-of-order events change nothing.
 *
 * Replicas of the App may handle two events of the same job at once, and GitHub has no create-if-absent for check
 * runs: both may create one, or one may patch a check while the other creates its copy. So every copy with this
 * `external_id` is brought to the furthest state any copy or this event reached, and the copies are read again
 * after each write until none is behind: whichever replica writes last sees every copy and leaves them all final
 * (GitHub shows the newest, which must never be the one left queued).
 */
export async function reportJob(
  octokit: GitHubClient,
  repo: RepoRef,
  job: { name: string; run_id: number; html_url: string | null; conclusion: string | null; started_at?: string | null; completed_at?: string | null },
  action: JobEvent["action"],
): Promise<"created" | "updated" | "unchanged" | "ignored" | "not-ours"> {
  const target = archJob(job.name);
  if (!target) return "ignored";
  const { id, arch } = target;
  const all = await listChecks(octokit, repo, id.sha);
  const summaryCheck = summaryOf(all, id);
  if (!summaryCheck) return "not-ours";
  const identity = await isOwnRun(octokit, repo, job.run_id, parsePlanMarker(summaryCheck.summary), () => readRun(octokit, repo, job.run_id));
  if (!identity.ok) return "not-ours";
  const ext = externalId(id, arch);
  const name = archCheckName(arch);
  const event: JobEvent = { action, conclusion: job.conclusion, htmlUrl: job.html_url, startedAt: job.started_at ?? null, completedAt: job.completed_at ?? null };
  const title = (u: { status: string; conclusion?: string }) => (u.status === "completed" ? `${arch}: ${u.conclusion}` : u.status === "in_progress" ? `${arch}: building` : `${arch}: queued`);
  const summary = `Job of build ${inlineCode(formatBuildId(id))} on ${arch}${job.html_url ? `: [log](${encodeURI(job.html_url)})` : ""}.`;
  const copies = async () => (await listChecks(octokit, repo, id.sha, name)).filter((c) => c.external_id === ext);
  let result: "created" | "updated" | "unchanged" = "unchanged";
  let found = all.filter((c) => c.name === name && c.external_id === ext);
  if (found.length === 0) {
    const u = jobCheckUpdate({ status: "queued" }, event) ?? { status: "queued" as const };
    await createCheck(octokit, repo, id.sha, {
      name,
      externalId: ext,
      status: u.status,
      ...(u.conclusion ? { conclusion: u.conclusion } : {}),
      ...(u.started_at ? { startedAt: u.started_at } : {}),
      ...(u.completed_at ? { completedAt: u.completed_at } : {}),
      ...(u.details_url ? { detailsUrl: u.details_url } : {}),
      title: title(u),
      summary,
    });
    result = "created";
    found = await copies();
  }
  // A few rounds at most: each round only moves copies forward, and there are three states.
  for (let round = 0; round < 4 && found.length > 0; round++) {
    const states = found.map((c) => ({ c, state: { status: c.status as CheckState["status"], conclusion: c.conclusion ?? null } }));
    const furthest = states.reduce((a, b) => (STATUS_ORDER[b.state.status] > STATUS_ORDER[a.state.status] || (b.state.status === a.state.status && b.c.id > a.c.id) ? b : a)).state;
    // What the copies should reach: this event, or what another copy already says when that is further along.
    const goal: JobEvent = STATUS_ORDER[furthest.status] > STATUS_ORDER[event.action === "waiting" ? "queued" : event.action] ? { action: furthest.status, conclusion: furthest.conclusion ?? null } : event;
    let wrote = false;
    for (const { c, state } of states) {
      const update = jobCheckUpdate(state, goal);
      if (!update) continue;
      await updateCheck(octokit, repo, c.id, { ...update, output: { title: title(update), summary } });
      wrote = true;
      if (result === "unchanged") result = "updated";
    }
    if (!wrote) break;
    found = await copies();
  }
  return result;
}

const STATUS_ORDER: Record<CheckState["status"], number> = { queued: 0, in_progress: 1, completed: 2 };

export interface RegistryAccess {
  /** A client for these plain-HTTP hosts (policy `registries.insecure`; loopback always is). */
  client(insecureHosts: string[]): Promise<RegistryClient>;
}

/** Registry credentials from the standard Docker/Podman files (REGISTRY_AUTH_FILE, DOCKER_CONFIG), read once. */
export function defaultRegistryAccess(env: Record<string, string | undefined> = process.env): RegistryAccess {
  let creds: Promise<CredentialLookup> | undefined;
  return {
    async client(insecureHosts) {
      creds ??= loadCredentials(credentialFilePaths(env, env.HOME ?? homedir()));
      return new RegistryClient({ credentials: await creds, insecureHosts, userAgent: "flibs-app" });
    },
  };
}

/**
 * `workflow_run.completed` of a build: closes `flibs/build` with every planned arch's result and the index read
 * back from the candidate registry. A cancelled run (superseded by a newer push, or `/cancel`) closes it cancelled.
 */
export async function reportRun(
  octokit: GitHubClient,
  repo: RepoRef,
  run: { id: number; display_title?: string | null; conclusion: string | null; html_url: string; path?: string | null; event?: string | null; triggering_actor?: { login: string } | null; actor?: { login: string } | null },
  registry: RegistryAccess,
): Promise<"closed" | "ignored" | "already-closed" | "not-ours"> {
  const id = findBuildId(run.display_title);
  if (!id) return "ignored";
  const checks = await listChecks(octokit, repo, id.sha);
  const summaryCheck = summaryOf(checks, id);
  if (!summaryCheck) return "not-ours";
  const plan = parsePlanMarker(summaryCheck.summary);
  const identity = await isOwnRun(octokit, repo, run.id, plan, async () => ({ id: run.id, path: run.path ?? null, event: run.event ?? null, actor: run.triggering_actor?.login ?? run.actor?.login ?? null }));
  if (!identity.ok) return "not-ours";
  if (summaryCheck.status === "completed") return "already-closed";
  if (run.conclusion === "cancelled") {
    await updateCheck(octokit, repo, summaryCheck.id, {
      status: "completed",
      conclusion: "cancelled",
      details_url: run.html_url,
      output: { title: "Cancelled", summary: `The build run was cancelled (a newer push superseded it, or \`/cancel\`). [Run](${encodeURI(run.html_url)})` },
    });
    return "closed";
  }
  const planned = plan?.arches ?? [];
  // This build's check of each arch it built; an arch a /retest left as it was keeps its earlier attempt's.
  const results = new Map<Arch, ArchResult>();
  for (const [arch, c] of plan ? planArchChecks(id, plan, checks) : []) {
    if (c) results.set(arch, { arch, conclusion: c.status === "completed" ? (c.conclusion ?? null) : null, ...(c.details_url ? { jobUrl: c.details_url } : {}) });
  }
  const custody = await readIndexByValue(octokit, repo, { id, run, plan, registry });
  for (const [arch, digest] of custody.digests) results.set(arch, { ...(results.get(arch) ?? { arch }), digest, ...(custody.sizes.has(arch) ? { size: custody.sizes.get(arch)! } : {}) });
  const s = summarizeBuild({
    planned,
    results: [...results.values()],
    ...(custody.indexDigest ? { indexDigest: custody.indexDigest } : {}),
    ...(custody.indexRef ? { indexRef: custody.indexRef } : {}),
    runConclusion: run.conclusion,
    runUrl: run.html_url,
    ...(custody.publish ? { publish: custody.publish } : {}),
    ...(custody.problem ? { problem: custody.problem } : {}),
  });
  const text = [
    s.text,
    // Kept for promotion and for a later /retest of some arches: the plan, and every digest a job reported.
    plan ? `\n${formatPlanMarker(plan)}` : "",
    custody.digests.size ? `\n${formatDigestsMarker(custody.digests)}` : "",
  ].join("");
  await updateCheck(octokit, repo, summaryCheck.id, { status: "completed", conclusion: s.conclusion, details_url: run.html_url, output: { title: s.title, summary: text } });
  return "closed";
}

interface IndexByValue {
  /** The tested digest of each arch (reported by its job, or kept from the earlier attempt). */
  digests: Map<Arch, string>;
  sizes: Map<Arch, number>;
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
async function readIndexByValue(
  octokit: GitHubClient,
  repo: RepoRef,
  a: { id: BuildId; run: { id: number; conclusion: string | null }; plan: BuildPlanRecord | undefined; registry: RegistryAccess },
): Promise<IndexByValue> {
  const out: IndexByValue = { digests: new Map(), sizes: new Map() };
  const pr = (text: string): BuildProblem => ({ text, setup: false });
  if (!a.plan) return { ...out, problem: pr("flibs/build lost its plan: build again with /build") };
  const plan = a.plan;
  try {
    const jobs = (await listRunJobs(octokit, repo, a.run.id)).map((j) => ({ job: j, parsed: parseBuildJobName(j.name) }));
    const own = jobs.filter((j) => j.parsed && formatBuildId(j.parsed.id) === formatBuildId(a.id));
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
    if (!publish || publish.job.conclusion !== "success") {
      // An arch that failed already explains the missing index (the summary says it once).
      const archFailed = own.some((j) => j.parsed?.kind === "arch" && j.job.conclusion !== "success");
      if (archFailed) return out;
      return { ...out, problem: pr(publish ? `the publish job ended ${publish.job.conclusion ?? "without a conclusion"}: no index was published` : "no publish job ran: no index was published") };
    }
    const notice = indexDigestNotice(await jobAnnotations(octokit, repo, publish.job));
    if (!notice.ok || !notice.value) return { ...out, problem: pr(`the publish job reported no index digest${notice.ok ? "" : ` (${notice.reason})`}`) };
    const state = await readCommitState(octokit, repo, a.id.sha);
    const config = parseContainerConfig(state.containerYaml?.text ?? "");
    const registries = state.policy.policy.registries;
    if (!config.ok) return { ...out, problem: pr("container.yaml cannot be read") };
    if (!registries) return { ...out, problem: { text: "the organisation policy names no registries.candidate", setup: true } };
    const repository = parseRepository(`${registries.candidate}/${config.value.image ?? repo.repo}`);
    const client = await a.registry.client(registries.insecure);
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
    // The registry refused or failed the App (credentials, outage): flibs' setup, not the pull request.
    return { ...out, problem: { text: `the index could not be read: ${describeError(e)}`, setup: true } };
  }
}

export function registerReport(app: Probot, deliveries: { run(log: Context["log"], what: string, work: () => Promise<void>): Promise<void> }, serial: PerCommit, registry: RegistryAccess): void {
  app.on(["workflow_job.queued", "workflow_job.in_progress", "workflow_job.completed", "workflow_job.waiting"], async (context) => {
    const job = context.payload.workflow_job;
    const target = archJob(job.name);
    if (!target) return;
    await deliveries.run(context.log, "flibs/build (workflow_job)", async () => {
      const repo = context.repo();
      const octokit = await installationOctokit(app, context);
      const action = context.payload.action as JobEvent["action"];
      const r = await serial.run(`${repo.owner}/${repo.repo}@${target.id.sha}`, () => reportJob(octokit, repo, job, action));
      context.log.info({ job: job.name, action, result: r }, "flibs/build arch");
    });
  });
  app.on("workflow_run.completed", async (context) => {
    const run = context.payload.workflow_run;
    const id = findBuildId(run.display_title);
    if (!id) return;
    await deliveries.run(context.log, "flibs/build (workflow_run)", async () => {
      const repo = context.repo();
      const octokit = await installationOctokit(app, context);
      const r = await serial.run(`${repo.owner}/${repo.repo}@${id.sha}`, () => reportRun(octokit, repo, run, registry));
      context.log.info({ run: run.display_title, result: r }, "flibs/build summary");
    });
  });
}
