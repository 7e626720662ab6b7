import type { Finding, FindingSummary, Severity } from "../../core/findings.js";
import type { ReviewResult } from "../../core/review/index.js";
import { summaryLine } from "../output/format.js";

/**
 * `flibs review` on a terminal: each finding's line as in the plain text form (`file:line:col severity [rule]
 * message`, so it stays greppable and clickable in editors), then its source line with the span underlined, as
 * rustc, eslint's codeframe and hadolint's tty output show it; in colour unless NO_COLOR says otherwise.
 */
export function formatReviewForTerminal(
  result: ReviewResult,
  sources: Readonly<Record<string, string>>,
  options: { colour: boolean },
): string {
  const c = palette(options.colour);
  const lines = new Map(Object.entries(sources).map(([file, text]) => [file, text.split(/\r?\n/)]));
  const out: string[] = [];
  const width = String(Math.max(0, ...result.findings.map((f) => f.line))).length;
  for (const f of result.findings) {
    out.push(`${c.bold(`${f.file}:${f.line}:${f.column}`)} ${c.severity(f.severity, f.severity)} ${c.dim(`[${f.rule}]`)} ${f.message}`);
    const source = lines.get(f.file)?.[f.line - 1];
    if (source !== undefined && source.trim() !== "") out.push(...snippet(f, source, width, c), "");
  }
  out.push(summary(result.summary, c));
  return `${out.join("\n")}\n`;
}

/**
 * Colour is on for a terminal unless NO_COLOR is set (to anything but the empty string, no-color.org) or TERM is
 * `dumb`; FORCE_COLOR (other than `0` or `false`) turns it on anywhere and wins over NO_COLOR, as Node's own
 * tty.getColorDepth reads them.
 */
export function wantsColour(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force.toLowerCase() !== "false";
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return isTTY && env.TERM !== "dumb";
}

/** Whether FORCE_COLOR asks for the terminal form even when stdout is not a terminal (`| less -R`). */
export function forcesColour(env: Readonly<Record<string, string | undefined>>): boolean {
  const force = env.FORCE_COLOR;
  return force !== undefined && force !== "0" && force.toLowerCase() !== "false";
}

type Palette = ReturnType<typeof palette>;

function palette(on: boolean) {
  const sgr = (open: string) => (s: string) => (on ? `\u001b[${open}m${s}\u001b[0m` : s);
  const colours: Record<Severity, (s: string) => string> = { error: sgr("1;31"), warning: sgr("1;33"), info: sgr("1;36") };
  return {
    bold: sgr("1"),
    dim: sgr("2"),
    gutter: sgr("34"),
    severity: (severity: Severity, s: string) => colours[severity](s),
  };
}

function snippet(f: Finding, source: string, width: number, c: Palette): string[] {
  const number = String(f.line).padStart(width);
  const pad = " ".repeat(width);
  const start = Math.min(Math.max(1, f.column), source.length + 1) - 1;
  const end = spanEnd(f, source, start);
  // The marker line keeps the source's tabs, so the carets line up whatever the tab width.
  const lead = source.slice(0, start).replace(/[^\t]/g, " ");
  const marker = "^".repeat(Math.max(1, end - start));
  return [`${c.gutter(` ${number} |`)} ${source}`, `${c.gutter(` ${pad} |`)} ${lead}${c.severity(f.severity, marker)}`];
}

/** The end (exclusive, 0-based) of the span a finding marks: its end column on the same line, else the word at its column. */
function spanEnd(f: Finding, source: string, start: number): number {
  if ((f.endLine === undefined || f.endLine === f.line) && f.endColumn !== undefined && f.endColumn - 1 > start)
    return Math.min(f.endColumn - 1, source.length);
  if (f.endLine !== undefined && f.endLine > f.line) return source.trimEnd().length;
  const word = /^\S+/.exec(source.slice(start));
  return start + (word ? word[0].length : 1);
}

function summary(s: FindingSummary, c: Palette): string {
  const line = summaryLine(s);
  return line
    .replace(/^(\d+) errors?/, (m, n: string) => (n === "0" ? m : c.severity("error", m)))
    .replace(/, (\d+) warnings?/, (m, n: string) => (n === "0" ? m : `, ${c.severity("warning", m.slice(2))}`))
    .replace(/, (\d+) infos?/, (m, n: string) => (n === "0" ? m : `, ${c.severity("info", m.slice(2))}`));
}
