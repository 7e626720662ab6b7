import { randomBytes } from "node:crypto";
import { dirname } from "node:path";
import * as core from "@actions/core";
import { buildArch, commitInfo, onStop, publish, rootUserns, selectBuilder } from "../../src/builder/index.js";
import { isolationReport, summaryTable } from "../../src/core/build/index.js";
import { FlibsError } from "../../src/core/errors.js";
import { archToPlatformString, platformToArch, sortArches } from "../../src/core/platform.js";
import { DIGEST_NOTICE, INDEX_NOTICE } from "../../src/core/report/job-notices.js";
import { imageSize } from "../../src/core/oci/manifest.js";
import { describePromotion, planTags, type PlannedTag } from "../../src/core/promote/index.js";
import { parseRepository } from "../../src/core/oci/reference.js";
import { promote } from "../../src/registry/promote.js";
import { works, run } from "../../src/builder/exec.js";
import type { ActionInputs } from "./inputs.js";
import type { RunContext } from "./context.js";
import { verifyPromotion } from "./verify-promotion.js";

export async function buildMode(i: ActionInputs, c: RunContext): Promise<void> {
  const head = await commitInfo(i.context, "HEAD");
  if (head.sha !== i.sha) throw new FlibsError("usage", `the checkout in ${i.context} is at ${head.sha}, not ${i.sha}`);
  // This job's own storage: nothing an earlier job's build step did to a cached image reaches this build.
  // Filled by this builder alone, so its RUN steps can run as a mapped, unprivileged root.
  const builder = await selectBuilder(i.builder, {
    root: c.job.root,
    runroot: c.job.runroot,
    tmpdir: c.job.buildahTmp,
    isolation: i.isolation,
    userns: rootUserns(i.isolation),
  });
  const isolation = isolationReport(i.isolation);
  core.info(`building ${i.arch} with ${builder.name} (isolation ${i.isolation})`);
  core.setOutput("isolation", isolation.isolation);
  core.setOutput("ephemeral-runner-required", String(isolation.ephemeralRunnerRequired));
  core.setOutput("isolation-note", isolation.note);
  if (isolation.ephemeralRunnerRequired) core.warning(isolation.note);
  // The build's own output (RUN steps: the pull request's code) must not issue workflow commands: no forged
  // annotation, mask or output. GitHub's runner ignores commands between these two markers.
  const token = randomBytes(16).toString("hex");
  let stopped = false;
  const stopCommands = () => {
    if (!stopped) process.stdout.write(`::stop-commands::${token}\n`);
    stopped = true;
  };
  const resumeCommands = () => {
    if (stopped) process.stdout.write(`\n::${token}::\n`);
    stopped = false;
  };
  // A cancel during the build: the Action's own failure message must reach the runner.
  const unhook = onStop(async () => resumeCommands());
  try {
    stopCommands();
    const r = await buildArch({
      contextDir: i.context,
      config: c.config,
      arch: i.arch!,
      plannedArches: i.arches ?? [i.arch!],
      rev: i.sha,
      repository: c.repository,
      source: c.sourceUrl ?? "",
      approvedRegistries: c.approved,
      builder,
      client: c.client,
      insecure: c.insecure,
      authFile: c.authFile,
      log: (l) => core.info(l),
      onOutput: (c) => process.stdout.write(c),
    });
    resumeCommands();
    core.setOutput("digest", r.digest);
    // build.yml's matrix legs each set their own output name, so GitHub combines them for the publish job.
    core.setOutput(`digest-${r.arch}`, r.digest);
    core.setOutput("platform", archToPlatformString(r.arch));
    core.setOutput("size", String(r.size));
    core.setOutput("image", `${r.destination}@${r.digest}`);
    const failed = r.tests.filter((t) => !t.passed);
    const testLines = r.tests.length
      ? ["| test | result |", "| --- | --- |", ...r.tests.map((t) => `| ${t.name} | ${t.passed ? "passed" : "failed"} |`), ""]
      : ["No image tests in container.yaml."];
    await core.summary
      .addRaw(summaryTable(`flibs build (${r.arch})`, [{ arch: r.arch, digest: r.digest, size: r.size, seconds: r.seconds }], [...testLines, "", isolation.note]))
      .write();
    if (failed.length) {
      for (const t of failed) core.error(`image test ${t.name} failed on ${r.arch}: ${t.output.trim().split("\n").slice(-5).join(" / ")}`);
      throw new FlibsError("build", `${failed.length} image test${failed.length > 1 ? "s" : ""} failed on ${r.arch}`);
    }
    // What the App reads back through the job's annotations: the digest this job built and tested, by value.
    core.notice(r.digest, { title: `${DIGEST_NOTICE} (${r.arch})` });
  } finally {
    resumeCommands();
    unhook();
    await builder.cleanup();
  }
}

export async function publishMode(i: ActionInputs, c: RunContext): Promise<void> {
  const digests = new Map([...(i.keptDigests ?? []), ...(i.digests ?? [])]);
  const arches = sortArches([...new Set([...(i.arches ?? []), ...digests.keys()])]);
  // In a workflow every arch's digest comes by value from its tested build job (or, kept by a /retest, from the
  // App's record of the earlier build): a tag is a pointer anyone with write access to the registry can move.
  const untracked = arches.filter((a) => !digests.has(a));
  if (process.env.GITHUB_ACTIONS === "true" && untracked.length) {
    throw new FlibsError("usage", `no tested digest for ${untracked.join(", ")}: pass each arch's digest from its build job (digests) or, for arches a retest kept, kept-digests`);
  }
  let tree: string | undefined;
  let time: number | undefined;
  try {
    const info = await commitInfo(i.context, i.sha!);
    tree = info.tree;
    time = info.time;
  } catch {
    core.warning(`no checkout of ${i.sha} in ${i.context}: the build record has no tree`);
  }
  const r = await publish({
    client: c.client,
    repository: c.repository,
    sha: i.sha!,
    arches,
    digests,
    pr: i.pr,
    scratch: i.scratch,
    tree,
    sourceDateEpoch: time,
    source: c.sourceUrl,
    buildId: i.buildId,
    jobUrls: c.runUrl ? Object.fromEntries(arches.map((a) => [a, c.runUrl!])) : undefined,
    driftPolicy: i.componentDrift,
  });
  core.setOutput("index-digest", r.indexDigest);
  core.setOutput("tags", r.tags.join(","));
  core.setOutput("record-digest", r.recordDigest);
  core.setOutput("image", `${c.repository.registry}/${c.repository.repository}@${r.indexDigest}`);
  await core.summary.addRaw(r.summary).write();
  if (!r.failed) core.notice(r.indexDigest, { title: INDEX_NOTICE });
  for (const d of r.drift) {
    const msg = `component drift: ${d.name} ${Object.entries(d.versions).map(([a, v]) => `${a}=${v}`).join(" ")}`;
    if (r.failed) core.error(msg);
    else core.warning(msg);
  }
  if (r.failed) throw new FlibsError("policy", `${r.drift.length} package version(s) differ between arches and policy says component_drift: fail`);
}

export async function promoteMode(i: ActionInputs, c: RunContext): Promise<void> {
  const t0 = Date.now();
  if (process.env.GITHUB_ACTIONS === "true") {
    // Anyone with write access can dispatch the promote caller by hand: only what the App asked for is copied.
    if (!i.digest || !i.promotionId || !i.gitRef) throw new FlibsError("usage", "mode promote in a workflow needs digest, promotion-id and git-ref, as the flibs App sends them");
    if (i.appId === undefined) throw new FlibsError("usage", "mode promote needs app-id: set the organisation variable FLIBS_APP_ID to the flibs App's id (its settings page shows it)");
    if (!i.githubToken) throw new FlibsError("usage", "mode promote needs github-token (the job's token, with checks: read)");
    await verifyPromotion({ promotionId: i.promotionId, appId: i.appId, token: i.githubToken, sha: i.sha!, ref: i.gitRef, digest: i.digest, context: i.context }, process.env, { client: c.client, repository: c.repository });
    core.info(`verified: the flibs App asked for promotion ${i.promotionId} of ${i.digest}, built from this commit's tree`);
  }
  const destination = parseRepository(`${i.stableRegistry}/${c.image}`);
  const gitTag = i.gitRef?.startsWith("refs/tags/") ? i.gitRef.slice("refs/tags/".length) : undefined;
  const existing = await c.client.listTags(destination).catch(() => [] as string[]);
  const plan = planTags({ gitTag, extraTags: c.config.tags, existingTags: existing, moveLatest: i.latest });
  if (!plan.ok) throw plan.error;
  const tags: PlannedTag[] = plan.value.tags.length ? plan.value.tags : [{ tag: `sha-${i.sha}`, kind: "immutable", reason: "the commit" }];
  const report = await promote(c.client, {
    source: i.digest ? { ...c.repository, digest: i.digest } : { ...c.repository, tag: `sha-${i.sha}` },
    destination,
    tags,
    onProgress: (l) => core.info(l),
  });
  core.setOutput("index-digest", report.digest);
  core.setOutput("tags", report.tags.map((t) => t.tag).join(","));
  const rows = [];
  const promoted = await c.client.getManifest({ ...destination, digest: report.digest });
  // flibs publishes indexes; one row per arch image in it.
  for (const d of promoted.manifest.kind === "index" ? promoted.manifest.manifests : []) {
    const arch = d.platform ? platformToArch(d.platform) : undefined;
    if (!arch) continue;
    const m = await c.client.getManifest({ ...destination, digest: d.digest });
    if (m.manifest.kind === "manifest") rows.push({ arch, digest: d.digest, size: imageSize(m.manifest), seconds: (Date.now() - t0) / 1000 });
  }
  let signed = "not signed: cosign is not installed on this runner";
  if (await works("cosign", ["version"])) {
    // Keyless through the job's OIDC token (promote.yml alone has id-token: write); registry login from our auth file.
    const env = c.authFile ? { ...process.env, DOCKER_CONFIG: dirname(c.authFile) } : process.env;
    await run("cosign", ["sign", "--yes", `${destination.registry}/${destination.repository}@${report.digest}`], { env });
    signed = "signed with cosign";
  }
  await core.summary
    .addRaw(
      summaryTable(`flibs promote ${destination.registry}/${destination.repository}`, rows, [
        ...describePromotion(report).map((l) => `- ${l}`),
        `- ${signed}`,
      ]),
    )
    .write();
}
