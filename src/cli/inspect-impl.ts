import type { Manifest } from "../core/oci/manifest.js";
import { formatReference, parseReference } from "../core/oci/reference.js";
import { summarizeImage, type ImageSummary } from "../core/oci/summary.js";
import { formatBytes } from "../core/promote/report.js";
import type { CliIo } from "./io.js";
import { cliRegistryClient, reportFailure } from "./promote-impl.js";

export interface InspectCliOptions {
  ref: string;
  format: "text" | "json";
  insecure: string[];
}

export function formatSummary(s: ImageSummary): string {
  const lines = [s.reference, `  digest:     ${s.digest}`, `  media type: ${s.mediaType}`, `  size:       ${formatBytes(s.totalSize)}`];
  lines.push(s.kind === "index" ? `  platforms:` : `  image:`);
  const width = Math.max(8, ...s.images.map((i) => i.platform.length));
  for (const i of s.images) {
    lines.push(`    ${i.platform.padEnd(width)}  ${i.digest}  ${formatBytes(i.size).padStart(10)}  ${i.layers} layer${i.layers === 1 ? "" : "s"}`);
  }
  return lines.join("\n") + "\n";
}

/** `flibs inspect REF`: 0 shown, 1 not found or unreachable, 2 (thrown usage error) bad reference. */
export async function runInspect(opts: InspectCliOptions, io: CliIo): Promise<number> {
  const ref = parseReference(opts.ref);
  try {
    const client = await cliRegistryClient(io, opts.insecure);
    const root = await client.getManifest(ref);
    const children = new Map<string, Manifest>();
    if (root.manifest.kind === "index") {
      const fetched = await Promise.all(
        root.manifest.manifests
          .filter((d) => d.platform?.os !== "unknown")
          .map((d) => client.getManifest({ registry: ref.registry, repository: ref.repository, digest: d.digest })),
      );
      for (const m of fetched) children.set(m.digest, m.manifest);
    }
    const summary = summarizeImage(formatReference(ref), root, children);
    io.stdout(opts.format === "json" ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
    return 0;
  } catch (e) {
    return reportFailure(io, e);
  }
}
