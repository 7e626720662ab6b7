import type { Arch } from "../platform.js";
import { escapeCell } from "../markdown.js";
import { formatIndexMarker, isIndexDigest } from "./index-marker.js";

export interface ArchResult {
  arch: Arch;
  /** The arch's job conclusion, if its check run completed. */
  conclusion?: string | null;
  /** From the published index: the arch's manifest digest and its image size (config + layers). */
  digest?: string;
  size?: number;
  jobUrl?: string | null;
}

export interface BuildSummary {
  conclusion: "success" | "failure";
  title: string;
  text: string;
  missing: Arch[];
  failed: Arch[];
}

/**
 * Closes `flibs/build`: every planned arch must have succeeded and be present in the index read back from the
 * registry; anything missing is named, so "3 of 4 arches" can never pass as a build.
 */
export function summarizeBuild(args: {
  planned: readonly Arch[];
  results: readonly ArchResult[];
  indexDigest?: string;
  indexRef?: string;
  runConclusion?: string | null;
}): BuildSummary {
  const byArch = new Map(args.results.map((r) => [r.arch, r]));
  const failed = args.planned.filter((a) => {
    const c = byArch.get(a)?.conclusion;
    return c !== undefined && c !== null && c !== "success";
  });
  const missing = args.planned.filter((a) => !byArch.get(a)?.digest);
  // An arch whose job never reported, or a run that did not succeed (a failed image test, a failed publish),
  // is no pass, whatever the index holds.
  const unreported = args.planned.filter((a) => !failed.includes(a) && byArch.get(a)?.conclusion !== "success");
  const runFailed = args.runConclusion !== undefined && args.runConclusion !== "success";
  const ok = failed.length === 0 && missing.length === 0 && unreported.length === 0 && !runFailed && args.indexDigest !== undefined;
  const rows = args.planned.map((a) => {
    const r = byArch.get(a);
    const job = r?.jobUrl ? `[log](${encodeURI(r.jobUrl)})` : "";
    return `| ${a} | ${escapeCell(r?.conclusion ?? "no result")} | ${r?.digest ? `\`${r.digest}\`` : "missing"} | ${r?.size !== undefined ? formatSize(r.size) : ""} | ${job} |`;
  });
  const lines = [
    "| arch | result | digest | size | job |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
    "",
    args.indexDigest ? `Index: \`${args.indexRef ? `${escapeCell(args.indexRef)}@` : ""}${args.indexDigest}\`` : "No index was published.",
    // Promotion reads the tested digest back from here (src/core/report/index-marker.ts).
    ...(ok && isIndexDigest(args.indexDigest) ? [formatIndexMarker(args.indexDigest)] : []),
  ];
  const problems: string[] = [];
  if (failed.length) problems.push(`failed: ${failed.join(", ")}`);
  if (unreported.length) problems.push(`no job result: ${unreported.join(", ")}`);
  if (runFailed && !failed.length) problems.push(`the run ended ${args.runConclusion ?? "without a conclusion"}`);
  if (missing.length) problems.push(`missing from the index: ${missing.join(", ")}`);
  if (!args.indexDigest) problems.push("no index");
  return {
    conclusion: ok ? "success" : "failure",
    title: ok ? `Built ${args.planned.length} arch${args.planned.length === 1 ? "" : "es"}` : `Build incomplete (${problems.join("; ")})`,
    text: lines.join("\n"),
    missing,
    failed,
  };
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}
