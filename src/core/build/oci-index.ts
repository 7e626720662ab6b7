import { FlibsError } from "../errors.js";
import { archToPlatform, ARCHES, isArch, type Arch, type OciPlatform } from "../platform.js";

export const MEDIA = {
  index: "application/vnd.oci.image.index.v1+json",
  manifest: "application/vnd.oci.image.manifest.v1+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  empty: "application/vnd.oci.empty.v1+json",
  buildRecord: "application/vnd.flibs.build-record.v1+json",
} as const;

export interface ArchImage {
  arch: Arch;
  digest: string;
  /** Size of the manifest itself (the descriptor's `size`). */
  manifestSize: number;
  mediaType: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: OciPlatform;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface OciIndex {
  schemaVersion: 2;
  mediaType: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * The image index of a build: one entry per arch, always in the fixed arch order (never the order jobs
 * finished), so the same per-arch digests give the same index bytes and the same index digest.
 */
export function assembleIndex(images: readonly ArchImage[], annotations?: Record<string, string>): { index: OciIndex; bytes: string } {
  if (images.length === 0) throw new FlibsError("usage", "no per-arch images to put in the index");
  const seen = new Set<Arch>();
  for (const img of images) {
    if (!isArch(img.arch)) throw new FlibsError("usage", `unknown arch ${JSON.stringify(img.arch)}`);
    if (seen.has(img.arch)) throw new FlibsError("usage", `arch ${img.arch} given twice`);
    seen.add(img.arch);
    if (!DIGEST.test(img.digest)) throw new FlibsError("usage", `${img.arch}: not a sha256 digest: ${JSON.stringify(img.digest)}`);
  }
  const ordered = [...images].sort((a, b) => ARCHES.indexOf(a.arch) - ARCHES.indexOf(b.arch));
  const index: OciIndex = {
    schemaVersion: 2,
    mediaType: MEDIA.index,
    manifests: ordered.map((img) => ({
      mediaType: img.mediaType,
      digest: img.digest,
      size: img.manifestSize,
      platform: archToPlatform(img.arch),
    })),
    ...(annotations && Object.keys(annotations).length ? { annotations: sortKeys(annotations) } : {}),
  };
  return { index, bytes: JSON.stringify(index) };
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Parses the `digests` input: `{"x86_64":"sha256:..."}`, a JSON object keyed by arch. */
/**
 * Per-arch digests as the workflows pass them: `{"x86_64": "sha256:..."}`, or build.yml's combined matrix job
 * outputs (`toJSON(needs.build.outputs)`: `{"digest-x86_64": "sha256:...", "digest-aarch64": ""}`, where a leg
 * leaves the others' outputs empty). `allowEmpty` for a list that may rightly name no arch (kept digests).
 */
export function parseArchDigests(text: string, what = "digests", options: { allowEmpty?: boolean } = {}): Map<Arch, string> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FlibsError("usage", `${what} must be a JSON object such as {"x86_64": "sha256:..."}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new FlibsError("usage", `${what} must be a JSON object such as {"x86_64": "sha256:..."}`);
  }
  const out = new Map<Arch, string>();
  for (const [key, v] of Object.entries(value)) {
    const k = key.replace(/^digest-/, "");
    if (!isArch(k)) throw new FlibsError("usage", `${what}: unknown arch ${JSON.stringify(key)} (known: ${ARCHES.join(", ")})`);
    if (v === "" && key !== k) continue;
    if (typeof v !== "string" || !DIGEST.test(v)) throw new FlibsError("usage", `${what}.${key}: not a sha256 digest`);
    if (out.has(k) && out.get(k) !== v) throw new FlibsError("usage", `${what}: two different digests for ${k}`);
    out.set(k, v);
  }
  if (out.size === 0 && !options.allowEmpty) throw new FlibsError("usage", `${what} is empty: no arch was built`);
  return out;
}
