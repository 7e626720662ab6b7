import { homedir } from "node:os";
import type { Context, Probot } from "probot";
import { candidateTags } from "../core/build/tags.js";
import { parseContainerConfig } from "../core/config/index.js";
import { describeError } from "../core/errors.js";
import { escapeCell, inlineCode } from "../core/markdown.js";
import { parseReference } from "../core/oci/reference.js";
import { archCheckName, BUILD_CHECK, externalId, findBuildId, formatBuildId, SUMMARY, type BuildId } from "../core/plan/build-id.js";
import { isArch, type Arch } from "../core/platform.js";
import { summarizeBuild, type ArchResult } from "../core/report/build-summary.js";
import { imageSize, indexArches } from "../core/report/index-results.js";
import { jobCheckUpdate, type CheckState, type JobEvent } from "../core/report/job-check.js";
import { parsePlanMarker } from "../core/report/plan-marker.js";
import { createCheck, listChecks, updateCheck } from "../github/build.js";
import { readCommitState } from "../github/commit-state.js";
import { installationOctokit, type GitHubClient, type RepoRef } from "../github/octokit.js";
import { credentialFilePaths, loadCredentials, RegistryClient, type CredentialLookup } from "../registry/index.js";
import type { PerCommit } from "./build.js";

/** `build (<arch>) <build id>`: the build job's name in build.yml. */
export function archJob(name: string | null | undefined): { id: BuildId; arch: Arch } | undefined {
  const id = findBuildId(name);
  const m = /^build \(([a-z0-9_]+)\)/.exec(name ?? "");
  return id && m && isArch(m[1]!) ? { id, arch: m[1] as Arch } : undefined;
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
export async function reportJob(octokit: GitHubClient, repo: RepoRef, job: { name: string; html_url: string | null; conclusion: string | null; started_at?: string | null; completed_at?: string | null }, action: JobEvent["action"]): Promise<"created" | "updated" | "unchanged" | "ignored"> {
  const target = archJob(job.name);
  if (!target) return "ignored";
  const { id, arch } = target;
  const ext = externalId(id, arch);
  const name = archCheckName(arch);
  const event: JobEvent = { action, conclusion: job.conclusion, htmlUrl: job.html_url, startedAt: job.started_at ?? null, completedAt: job.completed_at ?? null };
  const title = (u: { status: string; conclusion?: string }) => (u.status === "completed" ? `${arch}: ${u.conclusion}` : u.status === "in_progress" ? `${arch}: building` : `${arch}: queued`);
  const summary = `Job of build ${inlineCode(formatBuildId(id))} on ${arch}${job.html_url ? `: [log](${encodeURI(job.html_url)})` : ""}.`;
  const copies = async () => (await listChecks(octokit, repo, id.sha, name)).filter((c) => c.external_id === ext);
  let result: "created" | "updated" | "unchanged" = "unchanged";
  let found = await copies();
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
  run: { display_title?: string | null; conclusion: string | null; html_url: string },
  registry: RegistryAccess,
): Promise<"closed" | "ignored" | "already-closed"> {
  const id = findBuildId(run.display_title);
  if (!id) return "ignored";
  const checks = await listChecks(octokit, repo, id.sha);
  const summaryCheck = checks.filter((c) => c.name === BUILD_CHECK && c.external_id === externalId(id, SUMMARY)).sort((a, b) => b.id - a.id)[0];
  if (!summaryCheck) return "ignored";
  if (summaryCheck.status === "completed") return "already-closed";
  const plan = parsePlanMarker(summaryCheck.summary);
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
  // The newest check per arch on this commit, whatever attempt: a /retest rebuilds some, the others keep theirs.
  const results = new Map<Arch, ArchResult>();
  for (const c of checks.sort((a, b) => a.id - b.id)) {
    const m = /^flibs\/build \(([a-z0-9_]+)\)$/.exec(c.name);
    if (m && isArch(m[1]!) && c.external_id?.startsWith(`flibs:${id.sha}.`)) results.set(m[1] as Arch, { arch: m[1] as Arch, conclusion: c.status === "completed" ? (c.conclusion ?? null) : null });
  }
  let indexDigest: string | undefined;
  let indexRef: string | undefined;
  let registryProblem: string | undefined;
  try {
    const state = await readCommitState(octokit, repo, id.sha);
    const config = parseContainerConfig(state.containerYaml?.text ?? "");
    const registries = state.policy.policy.registries;
    if (!config.ok || !registries) throw new Error("container.yaml or the policy's registries.candidate is missing");
    const image = config.value.image ?? repo.repo;
    const tag = candidateTags(id.sha, plan?.pr, id.scratch).at(-1)!;
    indexRef = `${registries.candidate}/${image}:${tag}`;
    const client = await registry.client(registries.insecure);
    const fetched = await client.getManifest(parseReference(indexRef));
    if (fetched.manifest.kind !== "index") throw new Error(`${indexRef} is a single-arch manifest, not an index`);
    indexDigest = fetched.digest;
    const ref = parseReference(indexRef);
    for (const { arch, digest } of indexArches(fetched.manifest)) {
      const m = await client.getManifest({ ...ref, tag: undefined, digest } as typeof ref);
      const r = results.get(arch) ?? { arch };
      results.set(arch, { ...r, digest, ...(m.manifest.kind === "manifest" ? { size: imageSize(m.manifest) } : {}) });
    }
  } catch (e) {
    registryProblem = describeError(e);
  }
  const s = summarizeBuild({ planned, results: [...results.values()], ...(indexDigest ? { indexDigest } : {}), ...(indexRef ? { indexRef } : {}), runConclusion: run.conclusion });
  const text = [s.text, registryProblem ? `\n❌ The index could not be read: ${escapeCell(registryProblem, 1000)}` : "", `\n[Run](${encodeURI(run.html_url)})`].join("");
  await updateCheck(octokit, repo, summaryCheck.id, { status: "completed", conclusion: s.conclusion, details_url: run.html_url, output: { title: s.title, summary: text } });
  return "closed";
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
