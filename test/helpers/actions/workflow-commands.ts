/**
 * What a step writes for the runner, parsed as the runner parses it:
 * - workflow commands on stdout, `::name key=value,...::message`, with `%25 %0D %0A` (and `%3A %2C` in
 *   properties) unescaped: https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands
 *   (`error`, `warning`, `notice` become annotations; `add-mask` masks a value in later output; `group`/`endgroup`
 *   fold the log; `stop-commands` pauses parsing until its token);
 * - environment files `GITHUB_OUTPUT`, `GITHUB_ENV`, `GITHUB_STATE` (`name=value` or `name<<DELIM` ... `DELIM`)
 *   and `GITHUB_PATH` (one directory a line).
 */
import type { Annotation } from "./model.js";

export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
}

export function parseCommand(line: string): WorkflowCommand | undefined {
  const m = /^::([A-Za-z-]+)(?:\s+([^:]*))?::(.*)$/.exec(line.replace(/\r$/, ""));
  if (!m) return undefined;
  const properties: Record<string, string> = {};
  for (const part of (m[2] ?? "").split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    properties[part.slice(0, eq).trim()] = unescapeProperty(part.slice(eq + 1));
  }
  return { command: m[1]!.toLowerCase(), properties, message: unescapeData(m[3] ?? "") };
}

function unescapeData(s: string): string {
  return s.replaceAll("%0D", "\r").replaceAll("%0A", "\n").replaceAll("%25", "%");
}

function unescapeProperty(s: string): string {
  return s.replaceAll("%0D", "\r").replaceAll("%0A", "\n").replaceAll("%3A", ":").replaceAll("%2C", ",").replaceAll("%25", "%");
}

/**
 * An annotation as GitHub lists it for the job's check run. Without `file`, GitHub files it under `.github`
 * line 1 (what the check-runs annotations API shows for a bare `::error::`).
 */
export function annotationOf(cmd: WorkflowCommand): Annotation | undefined {
  const level =
    cmd.command === "error" ? "failure" : cmd.command === "warning" ? "warning" : cmd.command === "notice" ? "notice" : undefined;
  if (!level) return undefined;
  const p = cmd.properties;
  const line = p.line ? Number(p.line) : 1;
  return {
    path: p.file ?? ".github",
    start_line: line,
    end_line: p.endLine ? Number(p.endLine) : line,
    start_column: p.col ? Number(p.col) : null,
    end_column: p.endColumn ? Number(p.endColumn) : p.col ? Number(p.col) : null,
    annotation_level: level,
    title: p.title ?? null,
    message: cmd.message,
    raw_details: null,
  };
}

export class FileCommandError extends Error {}

/** `GITHUB_OUTPUT` / `GITHUB_ENV` / `GITHUB_STATE` content: `name=value` lines and `name<<DELIM` heredocs. */
export function parseKeyValueFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "") continue;
    const heredoc = /^([^=]+?)<<(.+)$/.exec(line);
    const eq = line.indexOf("=");
    if (heredoc && (eq < 0 || eq > line.indexOf("<<"))) {
      const [, name, delim] = heredoc;
      const value: string[] = [];
      i++;
      while (i < lines.length && lines[i] !== delim) value.push(lines[i++]!);
      if (i >= lines.length) throw new FileCommandError(`Matching delimiter not found '${delim}'`);
      out[name!] = value.join("\n");
    } else if (eq > 0) {
      out[line.slice(0, eq)] = line.slice(eq + 1);
    } else {
      throw new FileCommandError(`Invalid format '${line}'`);
    }
  }
  return out;
}

/** Replaces every masked value (secrets, `::add-mask::`) with `***`, longest first. */
export function mask(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const s of [...new Set(secrets)].filter((x) => x.length > 0).sort((a, b) => b.length - a.length)) out = out.split(s).join("***");
  return out;
}
