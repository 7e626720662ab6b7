import { parseLayoutReference } from "../core/oci/layout.js";
import type { Descriptor, Manifest } from "../core/oci/manifest.js";
import { formatReference, parseReference, type ImageReference } from "../core/oci/reference.js";
import { summarizeImage, type ImageSummary } from "../core/oci/summary.js";
import { formatBytes } from "../core/promote/report.js";
import type { ImageSource } from "../registry/store.js";
import type { CliIo } from "./io.js";
import { openLayoutReference } from "./layout-source.js";
import { cliRegistryClient, reportFailure } from "./promote-impl.js";

export interface InspectCliOptions {
  ref: string;
  format: "text" | "json";
  insecure: string[];
}

export type InspectResult = ImageSummary & { referrers: Array<{ digest: string; artifactType?: string; size: number }> };

export function formatSummary(s: InspectResult): string {
  const lines = [s.reference, `  digest:     ${s.digest}`, `  media type: ${s.mediaType}`, `  size:       ${formatBytes(s.totalSize)}`];
  lines.push(s.kind === "index" ? `  platforms:` : `  image:`);
  const width = Math.max(8, ...s.images.map((i) => i.platform.length));
  for (const i of s.images) {
    lines.push(
      `    ${i.platform.padEnd(width)}  ${i.digest}  ${formatBytes(i.size).padStart(10)}  ${i.layers} layer${i.layers === 1 ? "" : "s"}`,
    );
  }
  if (s.referrers.length > 0) {
    lines.push("  referrers:");
    for (const r of s.referrers) lines.push(`    ${r.digest}  ${r.artifactType ?? "-"}`);
  }
  return lines.join("\n") + "\n";
}

async function inspect(store: ImageSource, ref: ImageReference, shown: string, io: CliIo): Promise<InspectResult> {
  const root = await store.getManifest(ref);
  const children = new Map<string, Manifest>();
  if (root.manifest.kind === "index") {
    const fetched = await Promise.all(
      root.manifest.manifests
        .filter((d) => d.platform?.os !== "unknown")
        .map((d) => store.getManifest({ registry: ref.registry, repository: ref.repository, digest: d.digest })),
    );
    for (const m of fetched) children.set(m.digest, m.manifest);
  }
  // The image is what was asked for: a registry that fails to list referrers does not hide it.
  const referrers: Descriptor[] = await store.getReferrers(ref, root.digest).catch((e: unknown) => {
    io.stderr(`flibs: referrers of ${root.digest} not listed: ${e instanceof Error ? e.message : String(e)}\n`);
    return [];
  });
  return {
    ...summarizeImage(shown, root, children),
    referrers: referrers.map((r) => ({ digest: r.digest, ...(r.artifactType ? { artifactType: r.artifactType } : {}), size: r.size })),
  };
}

/** `flibs inspect REF`: 0 shown, 1 not found or unreachable, 2 (thrown usage error) bad reference. */
export async function runInspect(opts: InspectCliOptions, io: CliIo): Promise<number> {
  const layoutRef = parseLayoutReference(opts.ref);
  const ref = layoutRef ? undefined : parseReference(opts.ref);
  try {
    let summary: InspectResult;
    if (layoutRef) {
      const opened = await openLayoutReference(layoutRef, io.cwd);
      try {
        summary = await inspect(opened.layout, opened.ref, opened.name, io);
      } finally {
        await opened.close();
      }
    } else {
      summary = await inspect(await cliRegistryClient(io, opts.insecure), ref!, formatReference(ref!), io);
    }
    io.stdout(opts.format === "json" ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
    return 0;
  } catch (e) {
    return reportFailure(io, e);
  }
}
