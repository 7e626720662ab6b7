import type { TagWrite } from "./tags.js";

/** What a promotion did, for the CLI, the Action's outputs and the check run. */
export interface PromotionReport {
  source: string;
  destination: string;
  digest: string;
  mediaType: string;
  manifests: { copied: number; skipped: number };
  blobs: { mounted: number; streamed: number; skipped: number; bytesStreamed: number };
  referrers: { copied: number; skipped: number };
  tags: TagWrite[];
  /** Requests made and bytes moved through the client. */
  requests: number;
}

export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** The lines `flibs promote` prints. */
export function describePromotion(r: PromotionReport): string[] {
  const lines = [`promoted ${r.source} -> ${r.destination}@${r.digest}`];
  lines.push(`  manifests: ${r.manifests.copied} copied, ${r.manifests.skipped} already there`);
  lines.push(
    `  blobs: ${r.blobs.mounted} mounted, ${r.blobs.streamed} streamed (${formatBytes(r.blobs.bytesStreamed)}), ${r.blobs.skipped} already there`,
  );
  if (r.referrers.copied + r.referrers.skipped > 0) {
    lines.push(`  referrers: ${r.referrers.copied} copied, ${r.referrers.skipped} already there`);
  }
  for (const t of r.tags) {
    const what = t.action === "move" ? `moved from ${t.from}` : t.action === "create" ? "created" : "unchanged";
    lines.push(`  tag ${t.tag} (${t.kind}): ${what}`);
  }
  return lines;
}
