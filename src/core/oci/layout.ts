/**
 * OCI image layouts (image-spec `image-layout.md`): the `oci:PATH[:TAG]` and `oci-archive:FILE[:TAG]`
 * references, and the decisions over a layout's `index.json`, where tags are entries annotated with
 * `org.opencontainers.image.ref.name`. The image-layout spec defines no place for referrers; flibs keeps
 * them as untagged entries, as oras does, so `oras discover --oci-layout` finds the build record too.
 */
import { FlibsError } from "../errors.js";
import { isValidDigest } from "./digest.js";
import { MEDIA_TYPES } from "./media-types.js";
import type { Descriptor } from "./manifest.js";
import { isValidTag } from "./reference.js";

export const LAYOUT_REF_NAME = "org.opencontainers.image.ref.name";
/** The `oci-layout` file's content. */
export const OCI_LAYOUT_FILE = `{"imageLayoutVersion":"1.0.0"}`;

export interface LayoutReference {
  kind: "oci" | "oci-archive";
  /** A directory (`oci`) or a tar file (`oci-archive`), as given. */
  path: string;
  tag?: string;
}

export interface LayoutIndex {
  manifests: Descriptor[];
}

/**
 * Parses `oci:PATH[:TAG]` or `oci-archive:FILE[:TAG]` the way skopeo does (the first colon after the
 * transport ends the path); `undefined` for anything else (a registry reference).
 */
export function parseLayoutReference(input: string): LayoutReference | undefined {
  const m = /^(oci|oci-archive):(.*)$/s.exec(input.trim());
  if (!m) return undefined;
  const kind = m[1] as LayoutReference["kind"];
  const rest = m[2]!;
  const colon = rest.indexOf(":");
  const path = colon >= 0 ? rest.slice(0, colon) : rest;
  const tag = colon >= 0 ? rest.slice(colon + 1) : undefined;
  if (path.length === 0)
    throw new FlibsError("usage", `${kind}: needs a path, as in ${kind}:${kind === "oci" ? "out/app" : "app.tar"}[:TAG]`);
  if (tag !== undefined && !isValidTag(tag)) throw new FlibsError("usage", `"${tag}" in ${input.trim()} is not a valid tag`);
  return tag === undefined ? { kind, path } : { kind, path, tag };
}

export function formatLayoutReference(r: LayoutReference): string {
  return `${r.kind}:${r.path}${r.tag !== undefined ? `:${r.tag}` : ""}`;
}

function refName(d: Descriptor): string | undefined {
  return d.annotations?.[LAYOUT_REF_NAME];
}

/** Parses `index.json`; a broken one is a `registry` error naming the file. */
export function parseLayoutIndex(text: string): LayoutIndex {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new FlibsError("registry", "index.json is not JSON");
  }
  const o = json as { schemaVersion?: unknown; manifests?: unknown } | null;
  if (typeof o !== "object" || o?.schemaVersion !== 2 || !Array.isArray(o.manifests)) {
    throw new FlibsError("registry", "index.json is not an OCI image index (schemaVersion 2 with a manifests list)");
  }
  const manifests = o.manifests.map((v, i) => {
    const d = v as Partial<Descriptor> | null;
    if (!d || typeof d.mediaType !== "string" || typeof d.digest !== "string" || !isValidDigest(d.digest) || typeof d.size !== "number") {
      throw new FlibsError("registry", `index.json: manifests[${i}] is not a descriptor`);
    }
    return d as Descriptor;
  });
  return { manifests };
}

/** `index.json`'s bytes: an image index with its media type (image-spec 1.1), entries in the order kept. */
export function layoutIndexJson(index: LayoutIndex): string {
  return JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: index.manifests });
}

/** Points `tag` at `d` (an entry already holding the tag is replaced, as a registry moves a tag). */
export function withTag(index: LayoutIndex, tag: string, d: Descriptor): LayoutIndex {
  const entry: Descriptor = { ...d, annotations: { ...(d.annotations ?? {}), [LAYOUT_REF_NAME]: tag } };
  return { manifests: [...index.manifests.filter((m) => refName(m) !== tag), entry] };
}

export function withoutTag(index: LayoutIndex, tag: string): LayoutIndex {
  return { manifests: index.manifests.filter((m) => refName(m) !== tag) };
}

/** Adds a referrer (a manifest with a `subject`) as an untagged entry, once. */
export function withReferrer(index: LayoutIndex, d: Descriptor): LayoutIndex {
  if (index.manifests.some((m) => m.digest === d.digest && refName(m) === undefined)) return index;
  return { manifests: [...index.manifests, d] };
}

const FALLBACK_TAG = /^sha256-[0-9a-f]{64}$/;

/** The tags naming images (not the `sha256-<hex>` referrers indexes other tools write). */
export function layoutTags(index: LayoutIndex): string[] {
  return index.manifests.map(refName).filter((t): t is string => t !== undefined && !FALLBACK_TAG.test(t));
}

/**
 * The entry `tag` names; without a tag, the layout's only tagged image (or, in a layout some tool wrote
 * without ref names, its only entry).
 */
export function layoutEntryFor(index: LayoutIndex, tag: string | undefined): Descriptor {
  const tags = layoutTags(index);
  if (tag !== undefined) {
    const hit = index.manifests.find((m) => refName(m) === tag);
    if (!hit)
      throw new FlibsError(
        "not-found",
        `no image tagged ${tag} in the layout (${tags.length ? `it has ${tags.join(", ")}` : "it has no tags"})`,
      );
    return hit;
  }
  const candidates = tags.length > 0 ? index.manifests.filter((m) => tags.includes(refName(m) ?? "")) : index.manifests;
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) throw new FlibsError("not-found", "the layout holds no image");
  throw new FlibsError(
    "usage",
    `the layout holds more than one image (${tags.join(", ") || `${candidates.length} untagged`}): name one with :TAG`,
  );
}
