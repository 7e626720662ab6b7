import type { ImageIndex, ImageManifest } from "../oci/manifest.js";
import { platformToArch, type Arch } from "../platform.js";

/** Each arch's manifest in a published index (the first entry per arch; attestations have no platform). */
export function indexArches(index: ImageIndex): Array<{ arch: Arch; digest: string }> {
  const seen = new Set<Arch>();
  const out: Array<{ arch: Arch; digest: string }> = [];
  for (const m of index.manifests) {
    const arch = m.platform ? platformToArch(m.platform) : undefined;
    if (!arch || seen.has(arch)) continue;
    seen.add(arch);
    out.push({ arch, digest: m.digest });
  }
  return out;
}

/** An image's size as the summary shows it: its config plus its (compressed) layers. */
export function imageSize(manifest: ImageManifest): number {
  return manifest.config.size + manifest.layers.reduce((n, l) => n + l.size, 0);
}
