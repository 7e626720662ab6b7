import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import {
  archImageDigest,
  archTag,
  baseImages,
  buildinfoPath,
  checkApprovedBases,
  computeLabels,
  locateStep,
  missingBaseArches,
  pinFrom,
  StepOutput,
  stepFailureMessage,
} from "../core/build/index.js";
import type { ContainerConfig } from "../core/config/index.js";
import { parseDockerfile, type ParsedDockerfile } from "../core/dockerfile/index.js";
import { FlibsError, isFlibsError } from "../core/errors.js";
import { imageSize } from "../core/oci/manifest.js";
import { parseReference, type RepositoryRef } from "../core/oci/reference.js";
import { platformToArch, type Arch } from "../core/platform.js";
import type { OciLayout, RegistryClient } from "../registry/index.js";
import { commitInfo, type CommitInfo } from "./git.js";
import { stepFailureDetail, type TestRun } from "../core/report/job-summary/index.js";
import { testLogLines } from "../core/report/test-log.js";
import { traced } from "./exec.js";
import { StepClock } from "./step-clock.js";
import { isStopping } from "./terminate.js";
import type { Builder } from "./types.js";

export interface BuildArchOptions {
  contextDir: string;
  config: ContainerConfig;
  arch: Arch;
  /** Every arch of this build: a multi-arch base must hold each one. */
  plannedArches: readonly Arch[];
  /** Commit to build; default the checkout's HEAD. */
  rev?: string;
  /** Destination repository, e.g. `ghcr.io/my-org/candidates/httpd` (with `layout`, its last part names the image). */
  repository: RepositoryRef;
  /** Write the image into this OCI layout (tagged `sha-<sha>-<arch>`) instead of pushing it to `repository`. */
  layout?: OciLayout;
  /** Source repository URL for the labels. */
  source: string;
  approvedRegistries: readonly string[];
  builder: Builder;
  client: RegistryClient;
  insecure: (host: string) => boolean;
  authFile?: string;
  runTests?: boolean;
  log?: (line: string) => void;
  /** The builder's own output (build steps), as it comes. */
  onOutput?: (chunk: string) => void;
  /** Times each step (resolve bases, build, push, tests); the caller reads it whatever happens. */
  clock?: StepClock;
}

export interface ArchBuildResult {
  arch: Arch;
  commit: CommitInfo;
  destination: string;
  digest: string;
  size: number;
  manifestSize: number;
  mediaType: string;
  seconds: number;
  baseDigests: Record<string, string>;
  labels: Record<string, string>;
  dockerfileDigest: string;
  buildinfo: string;
  tests: TestRun[];
}

const BUILDINFO_CONTEXT = "flibs-buildinfo";

/** The last Dockerfile parsed: the arches of one build parse the same text (dockerfile-ast is not free). */
let lastParse: { key: string; parsed: ParsedDockerfile } | undefined;
function parse(text: string, file: string, buildArgs: Readonly<Record<string, string>>): ParsedDockerfile {
  const key = JSON.stringify([text, file, buildArgs]);
  if (lastParse?.key !== key) lastParse = { key, parsed: parseDockerfile(text, file, { buildArgs }) };
  return lastParse.parsed;
}

interface ResolvedBase {
  /** What the reference names now: an index's digest, or a single image's. */
  digest: string;
  /** An index's entries. */
  manifests?: Array<{ digest: string; platform?: { os?: string; architecture?: string } }>;
  /** A single image's arch, from its config. */
  configArch?: Arch;
}

/**
 * Base resolutions of one build, keyed by its planned-arches array: the arch builds that share one
 * `plannedArches` array (as `flibs build` passes it to each) look each base up once, and so pin the same index
 * even if its tag moves between them.
 */
const buildBases = new WeakMap<readonly Arch[], Map<string, Promise<ResolvedBase>>>();

function resolveBase(client: RegistryClient, refText: string, build: readonly Arch[]): Promise<ResolvedBase> {
  let cache = buildBases.get(build);
  if (!cache) buildBases.set(build, (cache = new Map<string, Promise<ResolvedBase>>()));
  const hit = cache.get(refText);
  if (hit) return hit;
  const lookup = traced(`resolve base ${refText}`, async (): Promise<ResolvedBase> => {
    const ref = parseReference(refText);
    const m = await client.getManifest(ref);
    if (m.manifest.kind === "index") return { digest: m.digest, manifests: m.manifest.manifests };
    const cfg = JSON.parse(new TextDecoder().decode(await client.getBlob(ref, m.manifest.config.digest))) as {
      os?: string;
      architecture?: string;
    };
    return { digest: m.digest, configArch: platformToArch({ os: cfg.os ?? "linux", architecture: cfg.architecture ?? "" }) };
  });
  cache.set(refText, lookup);
  // A failed lookup is not kept: the next arch asks again.
  lookup.catch(() => cache.delete(refText));
  return lookup;
}

/** Pins FROM, injects labels, embeds the Dockerfile, builds one arch reproducibly, pushes it, runs its tests. */
export async function buildArch(o: BuildArchOptions): Promise<ArchBuildResult> {
  const started = Date.now();
  const log = o.log ?? (() => undefined);
  const clock = o.clock ?? new StepClock();
  const archTests = o.runTests !== false ? o.config.tests.filter((t) => !t.arches || t.arches.includes(o.arch)) : [];
  // buildah with image tests keeps a local image and pushes it as a step of its own; otherwise the image goes
  // to the registry as it is committed.
  const separatePush = o.builder.name === "buildah" && archTests.length > 0;
  const buildStep = separatePush ? "build" : "build and push";
  clock.plan(["resolve bases", buildStep, ...(separatePush ? ["push"] : []), ...(archTests.length ? ["tests"] : [])]);

  const { commit, text, parsed, bases, digests, archDigests } = await clock.step("resolve bases", async () => {
    const commit = await commitInfo(o.contextDir, o.rev ?? "HEAD");
    const dockerfilePath = join(o.contextDir, o.config.dockerfile);
    let text: string;
    try {
      text = await readFile(dockerfilePath, "utf8");
    } catch {
      throw new FlibsError("io", `cannot read ${o.config.dockerfile} in ${basename(o.contextDir)}`);
    }
    const parsed = parse(text, o.config.dockerfile, o.config.build_args);
    const bases = baseImages(parsed);
    checkApprovedBases(bases, o.approvedRegistries);

    const digests = new Map<string, string>();
    const archDigests = new Map<string, string>();
    const resolved = await Promise.all(bases.map((base) => resolveBase(o.client, base.ref, o.plannedArches)));
    for (const [i, base] of bases.entries()) {
      const r = resolved[i]!;
      const missing = missingBaseArches(r.manifests ? { manifests: r.manifests } : {}, o.plannedArches, r.configArch);
      if (missing.length > 0) {
        throw new FlibsError(
          "build",
          `base image ${base.ref} has no ${missing.join(", ")} image: it cannot be built for ${missing.length > 1 ? "those arches" : "that arch"}`,
        );
      }
      digests.set(base.ref, r.digest);
      const own = r.manifests ? archImageDigest({ manifests: r.manifests }, o.arch) : undefined;
      if (own) archDigests.set(base.ref, own);
      log(`base ${base.ref} -> ${archDigests.get(base.ref) ?? r.digest}`);
    }
    return { commit, text, parsed, bases, digests, archDigests };
  });

  const labelOf = (k: string) => parsed.labels.filter((l) => l.key === k).pop()?.value;
  const name = o.config.image ?? o.repository.repository.split("/").pop()!;
  const version = o.config.version ?? labelOf("version") ?? "latest";
  const release = labelOf("release") ?? "1";
  const labels = computeLabels({
    name,
    component: labelOf("com.redhat.component"),
    version,
    release,
    arch: o.arch,
    source: o.source,
    revision: commit.sha,
    sourceDateEpoch: commit.time,
    description: labelOf("description") ?? labelOf("summary"),
  });

  const pinned = pinFrom(text, digests, o.config.build_args, archDigests, parsed);
  const buildinfo = buildinfoPath(name, version, release);
  // The builder's output reduced to the step it is in: what a failure shows, and the instruction it names.
  const output = new StepOutput();
  let step = clock.begin(buildStep);
  let stepName = buildStep;
  const work = await mkdtemp(join(tmpdir(), "flibs-build-"));
  try {
    await mkdir(join(work, "buildinfo"));
    await writeFile(join(work, "buildinfo", basename(buildinfo)), pinned);
    // Labels go in as one LABEL instruction: buildah turns each `--label` flag into a build step of its own.
    const labelLine = `LABEL ${Object.entries(labels)
      .map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v)}`)
      .join(" ")}`;
    const final = `${pinned.replace(/\n*$/, "\n")}COPY --from=${BUILDINFO_CONTEXT} ${basename(buildinfo)} ${buildinfo}\n${labelLine}\n`;
    await writeFile(join(work, "Dockerfile"), final);
    const destination = o.layout
      ? o.layout.transportReference(archTag(commit.sha, o.arch))
      : `${o.repository.registry}/${o.repository.repository}:${archTag(commit.sha, o.arch)}`;
    // Into a layout, only the base registries are reached over the network (buildah's --tls-verify is one switch).
    const insecure = o.layout ? bases.some((b) => o.insecure(parseReference(b.ref).registry)) : o.insecure(o.repository.registry);
    let built;
    try {
      built = await o.builder.buildAndPush({
        arch: o.arch,
        contextDir: o.contextDir,
        dockerfile: join(work, "Dockerfile"),
        labels: {},
        buildArgs: o.config.build_args,
        sourceDateEpoch: commit.time,
        buildContexts: { [BUILDINFO_CONTEXT]: join(work, "buildinfo") },
        destination,
        insecure,
        authFile: o.authFile,
        localImage: archTests.length > 0,
        onOutput: (chunk) => {
          output.push(chunk);
          o.onOutput?.(chunk);
        },
        onPush: () => {
          step.end("done");
          step = clock.begin((stepName = "push"));
          output.restart();
        },
      });
    } catch (e) {
      step.end("failed");
      throw isFlibsError(e) && e.code === "build" && !isStopping() ? failedStep(e, stepName) : e;
    }
    // The digest as the builder reported it, or (committed straight to the registry) as the tag names it now:
    // a concurrent build of this commit and arch writes the same bytes (reproducible), so the same digest.
    const ref = built.digest ? { ...o.repository, digest: built.digest } : { ...o.repository, tag: archTag(commit.sha, o.arch) };
    const pushed = await traced(`read pushed manifest ${built.digest ?? destination}`, () => (o.layout ?? o.client).getManifest(ref)).catch(
      (e: unknown) => {
        step.end("failed");
        throw e;
      },
    );
    if (pushed.manifest.kind !== "manifest") {
      step.end("failed");
      throw new FlibsError("build", `${destination} is not an image manifest`);
    }
    step.end("done");
    const digest = pushed.digest;
    const tests: TestRun[] = [];
    if (archTests.length) {
      const testing = clock.begin("tests");
      for (const t of archTests) {
        const t0 = Date.now();
        const r = await o.builder.runTest({ ...built, digest }, o.arch, t, insecure).catch((e: unknown) => {
          testing.end("failed");
          throw e;
        });
        for (const line of testLogLines(r)) log(line);
        tests.push({
          ...r,
          command: t.command,
          ...(t.expect !== undefined ? { expect: t.expect } : {}),
          seconds: (Date.now() - t0) / 1000,
        });
      }
      const failed = tests.filter((t) => !t.passed).length;
      testing.end(failed ? "failed" : "done", failed ? `${failed} of ${tests.length} failed` : `${tests.length} passed`);
    }
    return {
      arch: o.arch,
      commit,
      destination,
      digest,
      size: imageSize(pushed.manifest),
      manifestSize: pushed.bytes.byteLength,
      mediaType: pushed.mediaType,
      seconds: (Date.now() - started) / 1000,
      baseDigests: Object.fromEntries([...digests].map(([ref, d]) => [ref, archDigests.get(ref) ?? d])),
      labels,
      dockerfileDigest: `sha256:${createHash("sha256").update(text).digest("hex")}`,
      buildinfo,
      tests,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }

  /** The builder's failure, told as the step and the Dockerfile instruction it stopped at, with that step's output. */
  function failedStep(e: FlibsError, stepName: string): FlibsError {
    // An instruction only when buildah said the build stopped at it; a push (a step of its own) names none.
    const header = stepName !== "push" && output.failure !== undefined ? output.header : undefined;
    const instruction = header ? locateStep(header, parsed, o.config.dockerfile, output.failure) : undefined;
    return new FlibsError("build", stepFailureMessage(stepName, o.arch, instruction, output.output), {
      cause: e,
      detail: stepFailureDetail({ step: stepName, ...(instruction ? { instruction } : {}), output: output.output }),
    });
  }
}
