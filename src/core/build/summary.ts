import { formatSize } from "../report/build-summary.js";
import { escapeCell } from "../markdown.js";
import type { Arch } from "../platform.js";
import type { ComponentDrift } from "./drift.js";

export interface SummaryRow {
  arch: Arch;
  digest: string;
  size: number;
  /** Seconds the step took. */
  seconds: number;
}

/** The job summary table every Action mode writes: arch, digest, size, time. */
export function summaryTable(title: string, rows: readonly SummaryRow[], extra: readonly string[] = []): string {
  return [
    `### ${escapeCell(title)}`,
    "",
    "| arch | digest | size | time |",
    "| --- | --- | --- | --- |",
    ...rows.map((r) => `| ${r.arch} | \`${r.digest}\` | ${formatSize(r.size)} | ${r.seconds.toFixed(1)} s |`),
    "",
    ...extra,
  ].join("\n") + "\n";
}

/** The component drift section; empty when every arch agrees. */
export function driftSection(drift: readonly ComponentDrift[], policy: "warn" | "fail"): string[] {
  if (drift.length === 0) return ["Installed packages agree across arches."];
  const arches = [...new Set(drift.flatMap((d) => Object.keys(d.versions)))] as Arch[];
  return [
    `**Component drift** (${drift.length} package${drift.length === 1 ? "" : "s"} differ between arches; policy: ${policy}):`,
    "",
    `| package | ${arches.join(" | ")} |`,
    `| --- | ${arches.map(() => "---").join(" | ")} |`,
    ...drift.map((d) => `| ${escapeCell(d.name)} | ${arches.map((a) => escapeCell(d.versions[a] ?? "-")).join(" | ")} |`),
    "",
  ];
}
