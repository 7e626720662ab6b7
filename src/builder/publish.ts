import {
  assembleIndex,
  archTag,
  candidateTags,
  compareComponents,
  epochToIso,
  MEDIA,
  recordArtifactManifest,
  serializeRecord,
  EMPTY_CONFIG,
  type ArchImage,
  type ArchRecord,
  type BuildRecord,
  type ComponentDrift,
  type PackageSet,
} from "../core/build/index.js";
import type { PackageRead } from "../core/report/job-summary/index.js";
import { FlibsError } from "../core/errors.js";
import { imageSize, type ImageManifest } from "../core/oci/manifest.js";
import type { ImageReference, RepositoryRef } from "../core/oci/reference.js";
import { archToPlatform, sortArches, type Arch } from "../core/platform.js";
import { sha256Digest, type ImageStore } from "../registry/index.js";
import { traced } from "./exec.js";
import { readImagePackages } from "./packages.js";
import { StepClock } from "./step-clock.js";

export interface PublishOptions {
  /** A registry client, or an OCI layout (`flibs build` without `--push`): the same bytes either way. */
  client: ImageStore;
  repository: RepositoryRef;
  /** What the build record names as the image; default `REGISTRY/REPOSITORY`. */
  image?: string;
  sha: string;
  arches: readonly Arch[];
  /** Per-arch digests; an arch not given is found under its per-arch tag `sha-<sha>-<arch>`. */
  digests?: ReadonlyMap<Arch, string>;
  pr?: number;
  /** A scratch build: tagged `scratch-<sha>` only, so promotion never finds it. */
  scratch?: boolean;
  /** Tags to write instead of the candidate tags (the CLI's `--push host/repo:tag`). */
  tags?: string[];
  /** Commit time, for the record's `created`; default: the images' `org.opencontainers.image.created` label. */
  sourceDateEpoch?: number;
  tree?: string;
  source?: string;
  dockerfileDigest?: string;
  buildId?: string;
  jobUrls?: Partial<Record<Arch, string>>;
  driftPolicy?: "warn" | "fail";
  /** Times each step (read each arch, push index, record); the caller reads it whatever happens. */
  clock?: StepClock;
}

/** One arch as publish read it: its image, and its installed packages. */
export interface PublishedArch {
  arch: Arch;
  digest: string;
  size: number;
  packages: PackageRead;
}

export interface PublishResult {
  indexDigest: string;
  indexSize: number;
  tags: string[];
  recordDigest: string;
  record: BuildRecord;
  drift: ComponentDrift[];
  rows: PublishedArch[];
  /** True when policy says drift fails the build and there is drift. */
  failed: boolean;
}

/** Assembles the index in fixed arch order, pushes it under its tags, reads packages, attaches the build record. */
export async function publish(o: PublishOptions): Promise<PublishResult> {
  const arches = sortArches(o.arches);
  if (arches.length === 0) throw new FlibsError("usage", "no arches to publish");
  const tags = o.tags ?? candidateTags(o.sha, o.pr, o.scratch);
  const images: ArchImage[] = [];
  const records: Partial<Record<Arch, ArchRecord>> = {};
  const packages = new Map<Arch, PackageSet>();
  const rows: PublishedArch[] = [];
  const clock = o.clock ?? new StepClock();
  clock.plan([...arches.map((a) => `read ${a}`), "push index", "record"]);
  let labels: Record<string, string> = {};

  // The arches are read at once (each waits on the registry, not the CPU), and taken in the fixed order after.
  const read = await Promise.all(
    arches.map((arch) =>
      clock.step(`read ${arch}`, async () => {
        const given = o.digests?.get(arch);
        const ref: ImageReference = given ? { ...o.repository, digest: given } : { ...o.repository, tag: archTag(o.sha, arch) };
        let m;
        try {
          m = await traced(`read ${arch} manifest`, () => o.client.getManifest(ref));
        } catch (e) {
          if (e instanceof FlibsError && e.code === "not-found")
            throw new FlibsError(
              "not-found",
              `no ${arch} image for ${o.sha.slice(0, 7)} (${ref.digest ?? ref.tag}): did its build job succeed?`,
            );
          throw e;
        }
        if (m.manifest.kind !== "manifest") throw new FlibsError("build", `${arch}: ${m.digest} is an index, not one arch's image`);
        const manifest: ImageManifest = m.manifest;
        const [configBytes, pk] = await Promise.all([
          o.client.getBlob(o.repository, manifest.config.digest),
          traced(`read ${arch} packages (${manifest.layers.length} layers)`, () => readImagePackages(o.client, o.repository, manifest)),
        ]);
        const config = JSON.parse(new TextDecoder().decode(configBytes)) as {
          architecture?: string;
          config?: { Labels?: Record<string, string> };
        };
        if (config.architecture !== archToPlatform(arch).architecture) {
          throw new FlibsError(
            "build",
            `${arch}: image ${m.digest} is built for ${config.architecture ?? "no architecture"}, not ${archToPlatform(arch).architecture}`,
          );
        }
        return { arch, m, manifest, config, pk };
      }),
    ),
  );
  for (const { arch, m, manifest, config, pk } of read) {
    if (Object.keys(labels).length === 0) labels = { ...(config.config?.Labels ?? {}) };
    if (pk.packages) packages.set(arch, pk.packages);
    const size = imageSize(manifest);
    images.push({ arch, digest: m.digest, manifestSize: m.bytes.byteLength, mediaType: m.mediaType });
    records[arch] = {
      digest: m.digest,
      size,
      ...(manifest.annotations?.["org.opencontainers.image.base.digest"]
        ? { baseDigest: manifest.annotations["org.opencontainers.image.base.digest"] }
        : {}),
      packageDb: pk.note ? `${pk.db}: ${pk.note}` : pk.db,
      ...(pk.packages ? { packages: Object.fromEntries(pk.packages) } : {}),
      ...(o.jobUrls?.[arch] ? { jobUrl: o.jobUrls[arch] } : {}),
    };
    rows.push({
      arch,
      digest: m.digest,
      size,
      packages: { db: pk.db, ...(pk.packages ? { count: pk.packages.size } : {}), ...(pk.note ? { note: pk.note } : {}) },
    });
  }
  delete labels.architecture;

  const { bytes } = assembleIndex(images);
  const indexBytes = new TextEncoder().encode(bytes);
  const indexDigest = sha256Digest(indexBytes);
  const drift = compareComponents(packages);
  const policy = o.driftPolicy ?? "warn";
  const record: BuildRecord = {
    schema: "flibs.build-record/v1",
    image: o.image ?? `${o.repository.registry}/${o.repository.repository}`,
    indexDigest,
    commit: o.sha,
    ...(o.tree ? { tree: o.tree } : {}),
    ...(o.source ? { source: o.source } : {}),
    ...(o.dockerfileDigest ? { dockerfileDigest: o.dockerfileDigest } : {}),
    ...(o.buildId ? { buildId: o.buildId } : {}),
    ...(o.pr !== undefined ? { pr: o.pr } : {}),
    labels,
    arches: records,
    componentDrift: drift,
    driftPolicy: policy,
  };
  const recordBytes = new TextEncoder().encode(serializeRecord(record));
  const recordDigest = sha256Digest(recordBytes);
  // Drift the policy fails on is decided before anything is tagged: the index goes up by its digest only (its
  // record, naming the drift, attached to it), so no candidate tag ever points at an index that failed.
  const failed = policy === "fail" && drift.length > 0;
  const written = failed ? [] : tags;
  // The index under its tags and the record's blobs go up at once: none needs another. The record's manifest
  // follows, once its subject (the index) and its blobs are there.
  await clock.step("push index", () =>
    Promise.all([
      ...(written.length ? written : [indexDigest]).map((tag) =>
        traced(`put index ${tag}`, async () => {
          const got = await o.client.putManifest(o.repository, tag, indexBytes, MEDIA.index);
          if (got !== indexDigest)
            throw new FlibsError("digest-mismatch", `registry stored the index under ${tag} as ${got}, expected ${indexDigest}`);
        }),
      ),
      traced("push record blob", () => o.client.pushBlob(o.repository, recordDigest, recordBytes, recordBytes.byteLength)),
      traced("push empty config blob", () => o.client.pushBlob(o.repository, EMPTY_CONFIG.digest, new TextEncoder().encode("{}"), 2)),
    ]),
  );
  const created =
    o.sourceDateEpoch !== undefined ? epochToIso(o.sourceDateEpoch) : (labels["org.opencontainers.image.created"] ?? epochToIso(0));
  const artifact = new TextEncoder().encode(
    recordArtifactManifest(
      { digest: recordDigest, size: recordBytes.byteLength },
      { mediaType: MEDIA.index, digest: indexDigest, size: indexBytes.byteLength },
      created,
    ),
  );
  const artifactDigest = await clock.step("record", () =>
    traced("put record referrer", () => o.client.putReferrer(o.repository, indexDigest, artifact, MEDIA.manifest)),
  );
  return { indexDigest, indexSize: indexBytes.byteLength, tags: written, recordDigest: artifactDigest, record, drift, rows, failed };
}
