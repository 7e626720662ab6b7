import type { Finding, FindingSummary, Severity } from "../findings.js";
import { inlineCode, joinMarkdown, messageMarkdown, plainText, table, trusted } from "../markdown.js";

/**
 * The `flibs/review` check run as plain values: its name, conclusion, title, summary and annotations, made from
 * a review result. Nothing here talks to GitHub; src/app publishes what this returns.
 */
export const REVIEW_CHECK_NAME = "flibs/review";

/** Where the rule reference lives unless the App is told otherwise (`FLIBS_DOCS_URL`): the project's README. */
export const DEFAULT_DOCS_URL = "https://github.com/my-org/flibs/blob/main/README.md";

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

export interface ReviewCheckOptions {
  sha: string;
  /** Failures that belong to no line of the repository (an unreadable policy): they fail the check, first in the summary. */
  problems?: readonly string[];
  /** Base of the rule reference; each rule links to `<docsUrl>#rule-<id>`. Only an http(s) URL is used. */
  docsUrl?: string;
}

const LEVEL: Record<Severity, AnnotationLevel> = { error: "failure", warning: "warning", info: "notice" };
/** The icon and the word joined by a no-break space: the word never lands under its icon alone. */
const ICON: Record<Severity, string> = { error: "❌\u00a0error", warning: "⚠️\u00a0warning", info: "ℹ️\u00a0info" };
const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
/** Rows in the summary table (one per group of identical findings); every finding is still an annotation. */
const MAX_ROWS = 100;
/** Lines listed in a group's row before "…". */
const MAX_LINES = 12;

/** Findings of one rule with the same severity, file and message: one row of the summary. */
export interface FindingGroup {
  severity: Severity;
  rule: string;
  file: string;
  message: string;
  lines: number[];
}

/** Groups identical findings (same severity, rule, file, message), errors first, then warnings, then infos. */
export function groupFindings(findings: readonly Finding[]): FindingGroup[] {
  const groups = new Map<string, FindingGroup>();
  for (const f of findings) {
    const key = JSON.stringify([f.severity, f.rule, f.file, f.message]);
    const g = groups.get(key);
    if (g) g.lines.push(f.line);
    else groups.set(key, { severity: f.severity, rule: f.rule, file: f.file, message: f.message, lines: [f.line] });
  }
  for (const g of groups.values()) g.lines.sort((a, b) => a - b);
  return [...groups.values()].sort(
    (a, b) =>
      ORDER[a.severity] - ORDER[b.severity] ||
      a.file.localeCompare(b.file) ||
      (a.lines[0] ?? 0) - (b.lines[0] ?? 0) ||
      a.rule.localeCompare(b.rule),
  );
}

/** The link to a rule's entry in the rule reference. */
export function ruleDocsUrl(rule: string, docsUrl: string | undefined): string {
  const base = docsUrl !== undefined && /^https?:\/\/[^\s<>()]+$/.test(docsUrl) ? docsUrl.replace(/#.*$/, "") : DEFAULT_DOCS_URL;
  return `${base}#rule-${encodeURIComponent(rule)}`;
}

/** "2 errors, 1 warning, 0 infos": the words `flibs review` prints. */
export function countWords(summary: Pick<FindingSummary, "errors" | "warnings" | "infos">): string[] {
  return [count(summary.errors, "error"), count(summary.warnings, "warning"), count(summary.infos, "info")];
}

export function reviewCheckOutput(
  result: { findings: readonly Finding[]; summary: FindingSummary },
  options: ReviewCheckOptions,
): CheckOutput {
  const problems = options.problems ?? [];
  const { findings, summary } = result;
  const failed = summary.errors > 0 || problems.length > 0;
  const counts = countWords(summary);
  const nonZero = counts.filter((c) => !c.startsWith("0 ")).join(", ");
  const title = plainText(
    problems.length > 0
      ? findings.length === 0
        ? `flibs review could not run cleanly: ${problems[0]}`
        : `${nonZero}; ${problems[0]}`
      : findings.length === 0
        ? "No findings"
        : nonZero,
    255,
  );

  const groups = groupFindings(findings);
  const shown = groups.slice(0, MAX_ROWS);
  // The rule id leads the finding's cell rather than having a narrow column of its own: a browser shrinking a
  // wide table breaks a narrow column's text after each hyphen, and a non-breaking hyphen would not copy as the id.
  const rows = shown.map((g) => [
    trusted(ICON[g.severity]),
    trusted(inlineCode(g.file)),
    trusted(linesCell(g.lines)),
    trusted(`[${inlineCode(g.rule)}](${ruleDocsUrl(g.rule, options.docsUrl)}): ${messageMarkdown(g.message)}`),
  ]);
  const hidden = groups.slice(MAX_ROWS).reduce((n, g) => n + g.lines.length, 0);
  const suppressed = summary.suppressed > 0 ? `; ${count(summary.suppressed, "finding")} accepted by \`# flibs-ignore\`` : "";
  const summaryMd = joinMarkdown([
    `**flibs review** of ${inlineCode(options.sha.slice(0, 12))}: ${counts.join(", ")}${suppressed}.`,
    problems.length > 0 ? problems.map((p) => `- ❌ ${messageMarkdown(p, 2000)}`).join("\n") : "",
    problems.length > 0
      ? "Not a problem of this pull request: the organisation's flibs setup needs fixing (an organisation owner edits `.github/flibs.yml` in its `.github` repository). The review above used the default policy."
      : "",
    summary.files.length > 0 ? `Reviewed: ${summary.files.map((f) => inlineCode(f)).join(", ")}` : "",
    shown.length > 0 ? table(["Severity", "File", "Line", "Finding"], rows) : "",
    hidden > 0 ? `… and ${count(hidden, "more finding")}, all shown as annotations.` : "",
    shown.length > 0 ? "Each rule links to its reference; `flibs review --explain RULE` prints its page with a fix and an example." : "",
  ]);
  const annotations = [...findings].sort((a, b) => ORDER[a.severity] - ORDER[b.severity]).map(annotation);
  return { conclusion: failed ? "failure" : "success", title, summary: summaryMd, annotations };
}

function linesCell(lines: readonly number[]): string {
  if (lines.length === 1) return String(lines[0]);
  const listed = lines.slice(0, MAX_LINES).join(", ");
  return `${listed}${lines.length > MAX_LINES ? ", …" : ""} (${lines.length} findings)`;
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
