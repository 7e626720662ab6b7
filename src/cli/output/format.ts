import type { Finding, FindingSummary } from "../../core/findings.js";
import { toSarif, type ReviewResult } from "../../core/review/index.js";

export type OutputFormat = "text" | "json" | "sarif";

/** Renders a review for the terminal (`file:line:col severity [rule] message`), as JSON, or as SARIF 2.1.0. */
export function formatReview(result: ReviewResult, format: OutputFormat, version: string): string {
  switch (format) {
    case "json":
      return `${JSON.stringify({ findings: result.findings.map(jsonFinding), summary: result.summary }, null, 2)}\n`;
    case "sarif":
      return `${JSON.stringify(toSarif(result.findings, result.rules, { version }), null, 2)}\n`;
    case "text":
      return (
        result.findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.severity} [${f.rule}] ${f.message}\n`).join("") +
        `${summaryLine(result.summary)}\n`
      );
  }
}

function jsonFinding(f: Finding) {
  return { rule: f.rule, severity: f.severity, file: f.file, line: f.line, column: f.column, message: f.message };
}

export function summaryLine(s: FindingSummary): string {
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const parts = [count(s.errors, "error"), count(s.warnings, "warning"), count(s.infos, "info")];
  return `${parts.join(", ")}${s.suppressed > 0 ? ` (${s.suppressed} suppressed)` : ""} in ${s.files.join(", ") || "no files"}`;
}
