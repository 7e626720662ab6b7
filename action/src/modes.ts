import { randomBytes } from "node:crypto";
import { dirname } from "node:path";
import * as core from "@actions/core";
import { buildArch, commitInfo, onStop, publish, rootUserns, selectBuilder, type PublishedArch } from "../../src/builder/index.js";
import { StepClock } from "../../src/builder/step-clock.js";
import { isolationReport, type ComponentDrift } from "../../src/core/build/index.js";
import { FlibsError } from "../../src/core/errors.js";
import { archToPlatformString, platformToArch, sortArches, type Arch } from "../../src/core/platform.js";
import { DIGEST_NOTICE, formatPromotedNotice, INDEX_NOTICE, PROMOTED_NOTICE } from "../../src/core/report/job-notices.js";
import {
  buildJobSummary,
  promoteJobSummary,
  publishJobSummary,
  stepFailureDetail,
  testVerdict,
  type JobFailure,
  type JobOutcome,
  type PromoteJob,
  type Signature,
  type TestRun,
} from "../../src/core/report/job-summary/index.js";
import { imageSize } from "../../src/core/oci/manifest.js";
import { planTags, type PlannedTag, type PromotionReport } from "../../src/core/promote/index.js";
import { parseRepository } from "../../src/core/oci/reference.js";
import { promote } from "../../src/registry/promote.js";
import { works, run } from "../../src/builder/exec.js";
import type { ActionInputs } from "./inputs.js";
import type { RunContext } from "./context.js";
import { verifyPromotion } from "./verify-promotion.js";

/**
 * One mode's run: `run` does the work; `summary` renders what it did so far for whatever outcome the job had
 * (main writes it on success, failure or cancel); `annotation` says where a failure's one annotation points.
 */
export interface ModeJob {
  run(): Promise<void>;
  summary(outcome: JobOutcome): string;
  /** The step that failed, from the job's step clock. */
  failedStep(): string | undefined;
  annotation(f: JobFailure): core.AnnotationProperties;
}

export function buildJob(i: ActionInputs, c: RunContext): ModeJob {
  const arch = i.arch!;
  const clock = new StepClock();
  const isolation = isolationReport(i.isolation);
  const testsPlanned = c.config.tests.filter((t) => !t.arches || t.arches.includes(arch)).length;
  let image: { digest: string; size: number; seconds: number } | undefined;
  let tests: TestRun[] = [];

  const work = async () => {
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
    core.info(`building ${arch} with ${builder.name} (isolation ${i.isolation})`);
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
    const unhook = onStop(() => {
      resumeCommands();
      return Promise.resolve();
    });
    try {
      stopCommands();
      const r = await buildArch({
        contextDir: i.context,
        config: c.config,
        arch,
        plannedArches: i.arches ?? [arch],
        rev: i.sha,
        repository: c.repository,
        source: c.sourceUrl ?? "",
        approvedRegistries: c.approved,
        builder,
        client: c.client,
        insecure: c.insecure,
        authFile: c.authFile,
        log: (l) => core.info(l),
        onOutput: (chunk) => process.stdout.write(chunk),
        clock,
      });
      resumeCommands();
      image = { digest: r.digest, size: r.size, seconds: r.seconds };
      tests = r.tests;
      core.setOutput("digest", r.digest);
      // build.yml's matrix legs each set their own output name, so GitHub combines them for the publish job.
      core.setOutput(`digest-${r.arch}`, r.digest);
      core.setOutput("platform", archToPlatformString(r.arch));
      core.setOutput("size", String(r.size));
      core.setOutput("image", `${r.destination}@${r.digest}`);
      const failed = r.tests.filter((t) => !t.passed);
      if (failed.length) {
        const first = failed[0]!;
        const more = failed.length > 1 ? ` (and ${failed.length - 1} more)` : "";
        throw new FlibsError("build", `image test "${first.name}" failed on ${arch}: ${testVerdict(first).replace(/`/g, "")}${more}`, {
          detail: stepFailureDetail({ step: "tests", test: first }),
        });
      }
      // What the App reads back through the job's annotations: the digest this job built and tested, by value.
      core.notice(r.digest, { title: `${DIGEST_NOTICE} (${r.arch})` });
    } finally {
      resumeCommands();
      unhook();
      await builder.cleanup();
    }
  };

  return {
    run: work,
    summary: (outcome) =>
      buildJobSummary(
        { arch, steps: clock.steps(), ...(image ? { image } : {}), tests, testsPlanned, isolationNote: isolation.note },
        outcome,
      ),
    failedStep: () => clock.failed,
    annotation: (f) => {
      const file = f.instruction?.line !== undefined ? c.repoPath(f.instruction.file) : undefined;
      return file ? { file, startLine: f.instruction!.line } : {};
    },
  };
}

export function publishJob(i: ActionInputs, c: RunContext): ModeJob {
  const clock = new StepClock();
  const repository = `${c.repository.registry}/${c.repository.repository}`;
  let arches: PublishedArch[] = [];
  let index: { digest: string; tags: string[]; record: string } | undefined;
  let drift: ComponentDrift[] | undefined;

  const work = async () => {
    const digests = new Map([...(i.keptDigests ?? []), ...(i.digests ?? [])]);
    const planned = sortArches([...new Set([...(i.arches ?? []), ...digests.keys()])]);
    // In a workflow every arch's digest comes by value from its tested build job (or, kept by a /retest, from the
    // App's record of the earlier build): a tag is a pointer anyone with write access to the registry can move.
    const untracked = planned.filter((a) => !digests.has(a));
    if (process.env.GITHUB_ACTIONS === "true" && untracked.length) {
      throw new FlibsError(
        "usage",
        `no tested digest for ${untracked.join(", ")}: pass each arch's digest from its build job (digests) or, for arches a retest kept, kept-digests`,
      );
    }
    let tree: string | undefined;
    let time: number | undefined;
    try {
      const info = await commitInfo(i.context, i.sha);
      tree = info.tree;
      time = info.time;
    } catch {
      core.warning(`no checkout of ${i.sha} in ${i.context}: the build record has no tree`);
    }
    const r = await publish({
      client: c.client,
      repository: c.repository,
      sha: i.sha!,
      arches: planned,
      digests,
      pr: i.pr,
      scratch: i.scratch,
      tree,
      sourceDateEpoch: time,
      source: c.sourceUrl,
      buildId: i.buildId,
      jobUrls: c.runUrl ? Object.fromEntries(planned.map((a) => [a, c.runUrl!])) : undefined,
      driftPolicy: i.componentDrift,
      clock,
    });
    arches = r.rows;
    index = { digest: r.indexDigest, tags: r.tags, record: r.recordDigest };
    drift = r.drift;
    core.setOutput("index-digest", r.indexDigest);
    core.setOutput("tags", r.tags.join(","));
    core.setOutput("record-digest", r.recordDigest);
    core.setOutput("image", `${repository}@${r.indexDigest}`);
    if (r.failed) {
      throw new FlibsError(
        "policy",
        `${r.drift.length} package version(s) differ between arches and policy says component_drift: fail: ${driftText(r.drift)}`,
      );
    }
    core.notice(r.indexDigest, { title: INDEX_NOTICE });
    // Drift the policy accepts: one warning, the summary has the table.
    if (r.drift.length) core.warning(`component drift: ${driftText(r.drift)}`);
  };

  return {
    run: work,
    summary: (outcome) =>
      publishJobSummary(
        {
          repository,
          steps: clock.steps(),
          arches,
          ...(index ? { index } : {}),
          ...(drift ? { drift } : {}),
          driftPolicy: i.componentDrift,
        },
        outcome,
      ),
    failedStep: () => clock.failed,
    annotation: () => ({}),
  };
}

function driftText(drift: readonly ComponentDrift[]): string {
  return drift
    .map(
      (d) =>
        `${d.name} ${Object.entries(d.versions)
          .map(([a, v]) => `${a}=${v}`)
          .join(" ")}`,
    )
    .join("; ");
}

export function promoteJob(i: ActionInputs, c: RunContext): ModeJob {
  const clock = new StepClock();
  const destination = parseRepository(`${i.stableRegistry}/${c.image}`);
  const inWorkflow = process.env.GITHUB_ACTIONS === "true";
  clock.plan([...(inWorkflow ? ["verify"] : []), "copy", "tags", "sign"]);
  let report: PromotionReport | undefined;
  let signature: Signature | undefined;
  const arches: Array<{ arch: Arch; digest: string; size: number }> = [];

  const work = async () => {
    if (inWorkflow) {
      await clock.step("verify", async () => {
        // Anyone with write access can dispatch the promote caller by hand: only what the App asked for is copied.
        if (!i.digest || !i.promotionId || !i.gitRef)
          throw new FlibsError("usage", "mode promote in a workflow needs digest, promotion-id and git-ref, as the flibs App sends them");
        if (i.appId === undefined)
          throw new FlibsError(
            "usage",
            "mode promote needs app-id: set the organisation variable FLIBS_APP_ID to the flibs App's id (its settings page shows it)",
          );
        if (!i.githubToken) throw new FlibsError("usage", "mode promote needs github-token (the job's token, with checks: read)");
        await verifyPromotion(
          {
            promotionId: i.promotionId,
            appId: i.appId,
            token: i.githubToken,
            sha: i.sha!,
            ref: i.gitRef,
            digest: i.digest,
            context: i.context,
          },
          process.env,
          { client: c.client, repository: c.repository },
        );
        core.info(`verified: the flibs App asked for promotion ${i.promotionId} of ${i.digest}, built from this commit's tree`);
      });
    }
    const gitTag = i.gitRef?.startsWith("refs/tags/") ? i.gitRef.slice("refs/tags/".length) : undefined;
    let step = clock.begin("copy");
    try {
      const existing = await c.client.listTags(destination).catch(() => [] as string[]);
      const plan = planTags({ gitTag, extraTags: c.config.tags, existingTags: existing, moveLatest: i.latest });
      if (!plan.ok) throw plan.error;
      const tags: PlannedTag[] = plan.value.tags.length
        ? plan.value.tags
        : [{ tag: `sha-${i.sha}`, kind: "immutable", reason: "the commit" }];
      report = await promote(c.client, {
        source: i.digest ? { ...c.repository, digest: i.digest } : { ...c.repository, tag: `sha-${i.sha}` },
        destination,
        tags,
        onProgress: (l) => core.info(l),
        onTags: () => {
          step.end("done");
          step = clock.begin("tags");
        },
      });
      step.end("done");
    } catch (e) {
      step.end("failed");
      throw e;
    }
    core.setOutput("index-digest", report.digest);
    core.setOutput("tags", report.tags.map((t) => t.tag).join(","));
    const promoted = await c.client.getManifest({ ...destination, digest: report.digest });
    // flibs publishes indexes; one row per arch image in it.
    for (const d of promoted.manifest.kind === "index" ? promoted.manifest.manifests : []) {
      const arch = d.platform ? platformToArch(d.platform) : undefined;
      if (!arch) continue;
      const m = await c.client.getManifest({ ...destination, digest: d.digest });
      if (m.manifest.kind === "manifest") arches.push({ arch, digest: d.digest, size: imageSize(m.manifest) });
    }
    const digest = report.digest;
    const signing = clock.begin("sign");
    if (await works("cosign", ["version"])) {
      // Keyless through the job's OIDC token (promote.yml alone has id-token: write); registry login from our auth file.
      const env = c.authFile ? { ...process.env, DOCKER_CONFIG: dirname(c.authFile) } : process.env;
      await run("cosign", ["sign", "--yes", `${destination.registry}/${destination.repository}@${digest}`], { env }).catch((e: unknown) => {
        signing.end("failed");
        throw e;
      });
      signature = { signed: true, how: "with cosign, keyless (the job's OIDC identity)" };
      signing.end("done");
    } else {
      signature = { signed: false, why: "cosign is not installed on this runner" };
      signing.end("skipped", "not signed: no cosign");
    }
    if (!signature.signed && gitTag) core.warning(`release ${gitTag} promoted but not signed: ${signature.why}`);
    // For the App's flibs/promote: the tags written and the signature, by value from this job.
    core.notice(formatPromotedNotice({ tags: report.tags.map((t) => ({ tag: t.tag, kind: t.kind })), signed: signature.signed }), {
      title: PROMOTED_NOTICE,
    });
  };

  const job = (): PromoteJob => ({
    destination: `${destination.registry}/${destination.repository}`,
    ...(i.gitRef ? { gitRef: i.gitRef } : {}),
    steps: clock.steps(),
    ...(report ? { report } : {}),
    arches,
    ...(signature ? { signature } : {}),
  });
  return { run: work, summary: (outcome) => promoteJobSummary(job(), outcome), failedStep: () => clock.failed, annotation: () => ({}) };
}
