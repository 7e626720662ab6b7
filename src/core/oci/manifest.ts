/**
 * The manifest shapes flibs reads (OCI index/manifest, Docker manifest list/v2s2) and what a copy must
 * carry: child manifests of an index, config and layers of an image. Parsing never re-serialises; the
 * raw bytes stay with the caller.
 */
import { FlibsError } from "../errors.js";
import { isValidDigest } from "./digest.js";
import { isIndexMediaType, MEDIA_TYPES, MANIFEST_MEDIA_TYPES } from "./media-types.js";

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  "os.version"?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  artifactType?: string;
  annotations?: Record<string, string>;
  urls?: string[];
}

export interface ImageIndex {
  kind: "index";
  mediaType: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  kind: "manifest";
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export type Manifest = ImageIndex | ImageManifest;

function invalid(why: string): FlibsError {
  return new FlibsError("registry", `invalid manifest: ${why}`);
}

function asDescriptor(v: unknown, where: string): Descriptor {
  if (typeof v !== "object" || v === null) throw invalid(`${where} is not an object`);
  const o = v as Record<string, unknown>;
  if (typeof o.digest !== "string" || !isValidDigest(o.digest)) throw invalid(`${where} has no valid digest`);
  if (typeof o.size !== "number" || !Number.isSafeInteger(o.size) || o.size < 0) throw invalid(`${where} has no valid size`);
  if (typeof o.mediaType !== "string") throw invalid(`${where} has no mediaType`);
  const d: Descriptor = { mediaType: o.mediaType, digest: o.digest, size: o.size };
  if (typeof o.platform === "object" && o.platform !== null) d.platform = o.platform as Platform;
  if (typeof o.artifactType === "string") d.artifactType = o.artifactType;
  if (typeof o.annotations === "object" && o.annotations !== null) d.annotations = o.annotations as Record<string, string>;
  if (Array.isArray(o.urls)) d.urls = o.urls.filter((u): u is string => typeof u === "string");
  return d;
}

/**
 * Parses manifest JSON. `mediaType` is the Content-Type the registry sent (or the descriptor's); the
 * body's own `mediaType` field wins when present, as registries do.
 */
export function parseManifest(json: unknown, mediaType?: string): Manifest {
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw invalid("not a JSON object");
  const o = json as Record<string, unknown>;
  if (o.schemaVersion !== 2) throw invalid(`schemaVersion ${String(o.schemaVersion)} is not supported (only 2)`);
  let mt = typeof o.mediaType === "string" ? o.mediaType : mediaType;
  if (mt === undefined || !MANIFEST_MEDIA_TYPES.includes(mt)) {
    // OCI allows omitting mediaType: tell index from manifest by shape.
    if (Array.isArray(o.manifests)) mt = MEDIA_TYPES.ociIndex;
    else if (o.config !== undefined) mt = MEDIA_TYPES.ociManifest;
    else throw invalid(`unsupported media type ${mt ?? "(none)"}`);
  }
  const extra: { subject?: Descriptor; artifactType?: string; annotations?: Record<string, string> } = {};
  if (o.subject !== undefined) extra.subject = asDescriptor(o.subject, "subject");
  if (typeof o.artifactType === "string") extra.artifactType = o.artifactType;
  if (typeof o.annotations === "object" && o.annotations !== null) extra.annotations = o.annotations as Record<string, string>;
  if (isIndexMediaType(mt)) {
    if (!Array.isArray(o.manifests)) throw invalid("an index needs a manifests array");
    return { kind: "index", mediaType: mt, manifests: o.manifests.map((m, i) => asDescriptor(m, `manifests[${i}]`)), ...extra };
  }
  const layers = o.layers === undefined ? [] : o.layers;
  if (!Array.isArray(layers)) throw invalid("layers is not an array");
  return {
    kind: "manifest",
    mediaType: mt,
    config: asDescriptor(o.config, "config"),
    layers: layers.map((l, i) => asDescriptor(l, `layers[${i}]`)),
    ...extra,
  };
}

/** Blobs an image manifest references (config first), deduplicated by digest. Foreign layers with urls are skipped. */
export function manifestBlobs(m: ImageManifest): Descriptor[] {
  const seen = new Set<string>();
  const out: Descriptor[] = [];
  for (const d of [m.config, ...m.layers]) {
    if (seen.has(d.digest) || (d.urls && d.urls.length > 0 && d.mediaType.includes("foreign"))) continue;
    seen.add(d.digest);
    out.push(d);
  }
  return out;
}

export function formatPlatform(p: Platform | undefined): string {
  if (!p) return "unknown";
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ""}`;
}

/** The total size of an image: config + layers. */
export function imageSize(m: ImageManifest): number {
  return m.config.size + m.layers.reduce((n, l) => n + l.size, 0);
}

/** An OCI index listing referrers (the body of the referrers API and of the fallback tag). */
export function referrersIndex(descriptors: Descriptor[]): Record<string, unknown> {
  return { schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: descriptors };
}
