/** What `flibs inspect` shows: an index and its platforms, or a single image, with digests and sizes. */
import { formatPlatform, imageSize, type Manifest } from "./manifest.js";
import { isIndexMediaType } from "./media-types.js";

export interface ImageEntry {
  platform: string;
  digest: string;
  mediaType: string;
  /** Config + layers, in bytes (compressed, as stored). */
  size: number;
  layers: number;
}

export interface ImageSummary {
  reference: string;
  digest: string;
  mediaType: string;
  kind: "index" | "image";
  /** Per platform for an index; one entry for a single image. Attestation manifests (platform unknown/unknown) are left out. */
  images: ImageEntry[];
  /** Sum over images, each blob counted once. */
  totalSize: number;
}

export function summarizeImage(
  reference: string,
  root: { digest: string; mediaType: string; manifest: Manifest },
  children: ReadonlyMap<string, Manifest>,
): ImageSummary {
  const images: ImageEntry[] = [];
  const blobs = new Map<string, number>();
  const add = (platform: string, digest: string, mediaType: string, m: Manifest | undefined): void => {
    if (m?.kind !== "manifest") return;
    for (const d of [m.config, ...m.layers]) blobs.set(d.digest, d.size);
    images.push({ platform, digest, mediaType, size: imageSize(m), layers: m.layers.length });
  };
  if (root.manifest.kind === "index") {
    for (const d of root.manifest.manifests) {
      if (d.platform?.os === "unknown") continue;
      add(formatPlatform(d.platform), d.digest, d.mediaType, children.get(d.digest));
    }
  } else {
    add("-", root.digest, root.mediaType, root.manifest);
  }
  let totalSize = 0;
  for (const s of blobs.values()) totalSize += s;
  return {
    reference,
    digest: root.digest,
    mediaType: root.mediaType,
    kind: isIndexMediaType(root.mediaType) ? "index" : "image",
    images,
    totalSize,
  };
}
