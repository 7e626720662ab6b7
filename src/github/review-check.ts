import type { Finding, FindingSummary, Severity } from "../core/findings.js";
import { escapeCell, inlineCode, joinMarkdown, plainText, table, trusted } from "../core/markdown.js";

export const REVIEW_CHECK_NAME = "flibs/review";

export type AnnotationLevel = "notice" | "warning" | "failure";

/** One check-run annotation as GitHub's API takes it. */
export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: AnnotationLevel;
  message: string;
  title?: string;
}

export interface CheckOutput {
  conclusion: "success" | "failure";
  title: string;
  summary: string;
  annotations: CheckAnnotation[];
}

const LEVEL: Record<Severity, AnnotationLevel> = { error: "failure", warning: "warning", info: "notice" };
const ICON: Record<Severity, string> = { error: "❌ error", warning: "⚠️ warning", info: "ℹ️ info" };
/** Rows shown in the summary table; every finding is still an annotation. */
const MAX_ROWS = 100;

/**
 * The `flibs/review` check run for a review result. `problems` are failures that belong to no line of
 * the repository (an unreadable policy, a file GitHub would not serve): they fail the check and are listed
 * first in the summary.
 */
export function reviewCheckOutput(
  result: { findings: readonly Finding[]; summary: FindingSummary },
  options: { sha: string; problems?: readonly string[] },
): CheckOutput {
  const problems = options.problems ?? [];
  const { findings, summary } = result;
  const failed = summary.errors > 0 || problems.length > 0;
  const counts = [count(summary.errors, "error"), count(summary.warnings, "warning"), count(summary.infos, "notice")];
  const title = problems.length > 0 && summary.errors === 0
    ? plainText(`flibs review could not run cleanly: ${problems[0]}`, 255)
    : findings.length === 0
      ? "No findings"
      : counts.filter((c) => !c.startsWith("0 ")).join(", ");

  const shown = findings.slice(0, MAX_ROWS);
  const rows = shown.map((f) => [trusted(ICON[f.severity]), trusted(inlineCode(f.rule)), f.file, f.line, f.message]);
  const summaryMd = joinMarkdown([
    `**flibs review** of ${inlineCode(options.sha.slice(0, 12))}: ${counts.join(", ")}` +
      (summary.suppressed > 0 ? `, ${count(summary.suppressed, "finding")} suppressed by \`# flibs-ignore\`` : "") + ".",
    problems.length > 0 ? problems.map((p) => `- ❌ ${escapeCell(p, 2000)}`).join("\n") : "",
    summary.files.length > 0 ? `Reviewed: ${summary.files.map((f) => inlineCode(f)).join(", ")}` : "",
    shown.length > 0 ? table(["Severity", "Rule", "File", "Line", "Message"], rows) : "",
    findings.length > shown.length ? `… and ${findings.length - shown.length} more findings, all shown as annotations.` : "",
  ]);
  return { conclusion: failed ? "failure" : "success", title, summary: summaryMd, annotations: findings.map(annotation) };
}

export function annotation(f: Finding): CheckAnnotation {
  const end = Math.max(f.line, f.endLine ?? f.line);
  const a: CheckAnnotation = {
    path: f.file,
    start_line: f.line,
    end_line: end,
    annotation_level: LEVEL[f.severity],
    message: plainText(f.message, 64 * 1024),
    title: f.rule,
  };
  // GitHub accepts columns only on single-line annotations.
  if (end === f.line) {
    a.start_column = f.column;
    a.end_column = Math.max(f.column, f.endColumn ?? f.column);
  }
  return a;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
