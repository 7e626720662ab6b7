import type { Arch } from "../platform.js";
import { ARCHES } from "../platform.js";
import type { ComponentDrift } from "./drift.js";
import { MEDIA, type Descriptor } from "./oci-index.js";

export interface ArchRecord {
  digest: string;
  size: number;
  /** The base image's digest this arch was built on (the pinned FROM resolved for the arch). */
  baseDigest?: string;
  /** name -> version, as read from the image's package database; absent when none was found. */
  packages?: Record<string, string>;
  packageDb?: string;
  jobUrl?: string;
  tests?: Array<{ name: string; passed: boolean }>;
}

export interface BuildRecord {
  schema: "flibs.build-record/v1";
  image: string;
  indexDigest: string;
  commit: string;
  tree?: string;
  source?: string;
  dockerfileDigest?: string;
  buildId?: string;
  pr?: number;
  labels: Record<string, string>;
  arches: Partial<Record<Arch, ArchRecord>>;
  componentDrift: ComponentDrift[];
  /** `warn` or `fail`: what policy made of the drift. */
  driftPolicy: "warn" | "fail";
}

/** The record as canonical bytes: keys of `arches` in fixed arch order, packages sorted by name. */
export function serializeRecord(r: BuildRecord): string {
  const arches: Partial<Record<Arch, ArchRecord>> = {};
  for (const a of ARCHES) {
    const ar = r.arches[a];
    if (!ar) continue;
    arches[a] = ar.packages
      ? { ...ar, packages: Object.fromEntries(Object.entries(ar.packages).sort(([x], [y]) => (x < y ? -1 : 1))) }
      : ar;
  }
  return JSON.stringify({ ...r, arches }, null, 2) + "\n";
}

/** The OCI 1.1 empty config descriptor (`{}`). */
export const EMPTY_CONFIG = {
  mediaType: MEDIA.empty,
  digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
  size: 2,
  data: "e30=",
} as const;

/**
 * The artifact manifest that carries the record: `artifactType` says what it is, `subject` ties it to the
 * index, so the referrers API (or its tag fallback) finds it from the index digest.
 */
export function recordArtifactManifest(layer: { digest: string; size: number }, subject: Descriptor, createdIso: string): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    artifactType: MEDIA.buildRecord,
    config: EMPTY_CONFIG,
    layers: [
      {
        mediaType: MEDIA.buildRecord,
        digest: layer.digest,
        size: layer.size,
        annotations: { "org.opencontainers.image.title": "build-record.json" },
      },
    ],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations: { "org.opencontainers.image.created": createdIso },
  });
}

/** OCI 1.1 referrers tag schema: `sha256:<hex>` -> `sha256-<hex>`. */
export function referrersTag(digest: string): string {
  return digest.replace(":", "-");
}
