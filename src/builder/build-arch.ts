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
  missingBaseArches,
  pinFrom,
} from "../core/build/index.js";
import type { ContainerConfig } from "../core/config/index.js";
import { parseDockerfile, type ParsedDockerfile } from "../core/dockerfile/index.js";
import { FlibsError } from "../core/errors.js";
import { imageSize } from "../core/oci/manifest.js";
import { parseReference, type RepositoryRef } from "../core/oci/reference.js";
import { platformToArch, type Arch } from "../core/platform.js";
import type { OciLayout, RegistryClient } from "../registry/index.js";
import { commitInfo, type CommitInfo } from "./git.js";
import { traced } from "./exec.js";
import type { Builder, TestOutcome } from "./types.js";

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
  tests: TestOutcome[];
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
  if (!cache) buildBases.set(build, (cache = new Map()));
  const hit = cache.get(refText);
  if (hit) return hit;
  const lookup = traced(`resolve base ${refText}`, async (): Promise<ResolvedBase> => {
    const ref = parseReference(refText);
    const m = await client.getManifest(ref);
    if (m.manifest.kind === "index") return { digest: m.digest, manifests: m.manifest.manifests };
    const cfg = JSON.parse(new TextDecoder().decode(await client.getBlob(ref, m.manifest.config.digest))) as { os?: string; architecture?: string };
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
      throw new FlibsError("build", `base image ${base.ref} has no ${missing.join(", ")} image: it cannot be built for ${missing.length > 1 ? "those arches" : "that arch"}`);
    }
    digests.set(base.ref, r.digest);
    const own = r.manifests ? archImageDigest({ manifests: r.manifests }, o.arch) : undefined;
    if (own) archDigests.set(base.ref, own);
    log(`base ${base.ref} -> ${archDigests.get(base.ref) ?? r.digest}`);
  }

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
  const work = await mkdtemp(join(tmpdir(), "flibs-build-"));
  try {
    await mkdir(join(work, "buildinfo"));
    await writeFile(join(work, "buildinfo", basename(buildinfo)), pinned);
    // Labels go in as one LABEL instruction: buildah turns each `--label` flag into a build step of its own.
    const labelLine = `LABEL ${Object.entries(labels).map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v)}`).join(" ")}`;
    const final = `${pinned.replace(/\n*$/, "\n")}COPY --from=${BUILDINFO_CONTEXT} ${basename(buildinfo)} ${buildinfo}\n${labelLine}\n`;
    await writeFile(join(work, "Dockerfile"), final);
    const destination = o.layout
      ? o.layout.transportReference(archTag(commit.sha, o.arch))
      : `${o.repository.registry}/${o.repository.repository}:${archTag(commit.sha, o.arch)}`;
    // Into a layout, only the base registries are reached over the network (buildah's --tls-verify is one switch).
    const insecure = o.layout ? bases.some((b) => o.insecure(parseReference(b.ref).registry)) : o.insecure(o.repository.registry);
    const archTests = o.runTests !== false ? o.config.tests.filter((t) => !t.arches || t.arches.includes(o.arch)) : [];
    const built = await o.builder.buildAndPush({
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
      onOutput: o.onOutput,
    });
    // The digest as the builder reported it, or (committed straight to the registry) as the tag names it now:
    // a concurrent build of this commit and arch writes the same bytes (reproducible), so the same digest.
    const ref = built.digest ? { ...o.repository, digest: built.digest } : { ...o.repository, tag: archTag(commit.sha, o.arch) };
    const pushed = await traced(`read pushed manifest ${built.digest ?? destination}`, () => (o.layout ?? o.client).getManifest(ref));
    if (pushed.manifest.kind !== "manifest") throw new FlibsError("build", `${destination} is not an image manifest`);
    const digest = pushed.digest;
    const tests: TestOutcome[] = [];
    for (const t of archTests) {
      const r = await o.builder.runTest({ ...built, digest }, o.arch, t, insecure);
      log(`test ${t.name}: ${r.passed ? "passed" : "FAILED"}`);
      tests.push(r);
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
}

