import { dirname } from "node:path";
import * as core from "@actions/core";
import { buildArch, commitInfo, publish, selectBuilder } from "../../src/builder/index.js";
import { summaryTable } from "../../src/core/build/index.js";
import { FlibsError } from "../../src/core/errors.js";
import { archToPlatformString, platformToArch } from "../../src/core/platform.js";
import { imageSize } from "../../src/core/oci/manifest.js";
import { describePromotion, planTags, type PlannedTag } from "../../src/core/promote/index.js";
import { parseRepository } from "../../src/core/oci/reference.js";
import { promote } from "../../src/registry/promote.js";
import { works, run } from "../../src/builder/exec.js";
import type { ActionInputs } from "./inputs.js";
import type { RunContext } from "./context.js";

export async function buildMode(i: ActionInputs, c: RunContext): Promise<void> {
  const head = await commitInfo(i.context, "HEAD");
  if (head.sha !== i.sha) throw new FlibsError("usage", `the checkout in ${i.context} is at ${head.sha}, not ${i.sha}`);
  const builder = await selectBuilder(i.builder);
  core.info(`building ${i.arch} with ${builder.name}`);
  try {
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
    core.setOutput("digest", r.digest);
    core.setOutput("platform", archToPlatformString(r.arch));
    core.setOutput("size", String(r.size));
    core.setOutput("image", `${r.destination}@${r.digest}`);
    const failed = r.tests.filter((t) => !t.passed);
    const testLines = r.tests.length
      ? ["| test | result |", "| --- | --- |", ...r.tests.map((t) => `| ${t.name} | ${t.passed ? "passed" : "failed"} |`), ""]
      : ["No image tests in container.yaml."];
    await core.summary.addRaw(summaryTable(`flibs build (${r.arch})`, [{ arch: r.arch, digest: r.digest, size: r.size, seconds: r.seconds }], testLines)).write();
    if (failed.length) {
      for (const t of failed) core.error(`image test ${t.name} failed on ${r.arch}: ${t.output.trim().split("\n").slice(-5).join(" / ")}`);
      throw new FlibsError("build", `${failed.length} image test${failed.length > 1 ? "s" : ""} failed on ${r.arch}`);
    }
  } finally {
    await builder.cleanup();
  }
}

export async function publishMode(i: ActionInputs, c: RunContext): Promise<void> {
  const arches = i.arches ?? [...i.digests!.keys()];
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
    digests: i.digests,
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
  for (const d of r.drift) {
    const msg = `component drift: ${d.name} ${Object.entries(d.versions).map(([a, v]) => `${a}=${v}`).join(" ")}`;
    if (r.failed) core.error(msg);
    else core.warning(msg);
  }
  if (r.failed) throw new FlibsError("policy", `${r.drift.length} package version(s) differ between arches and policy says component_drift: fail`);
}

export async function promoteMode(i: ActionInputs, c: RunContext): Promise<void> {
  const t0 = Date.now();
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
