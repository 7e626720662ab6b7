/**
 * Markdown for check-run summaries, comments and job summaries, written so that GitHub renders it as typed.
 *
 * Text that came from a user (a Dockerfile, a config value, a PR) goes through `escapeText`, `escapeCell` or
 * `inlineCode`, so it renders as the same characters and can never become a link, an image, a mention, an
 * issue reference, raw HTML or table structure. Two rules of CommonMark shape how:
 * - inside a code span nothing is escaped or decoded: `&#58;` shows as `&#58;`, `\|` as `\|`; the span's content
 *   is literal, so a reference, digest or URL goes in a code span exactly as it is copied;
 * - outside code spans, an entity or a backslash escape is decoded and never shows; but GitHub links mentions,
 *   issue references, URLs and e-mail addresses in the decoded text. A word that GitHub would make live is
 *   therefore put in a code span (where GitHub links nothing), never broken with an invisible character, which a
 *   reader copying it would copy too.
 * GFM splits a table row on its unescaped pipes before any inline parsing, code spans included, so a code span
 * in a table cell needs its pipes escaped (`table` and `tableCell` do that) and one in a paragraph must not.
 */

/** Markdown the caller wrote itself (not user text): inserted verbatim by `table` and `joinMarkdown`. */
export interface Markdown {
  readonly markdown: string;
}

export const trusted = (markdown: string): Markdown => ({ markdown });

/** GitHub's summary and comment bodies are capped at 65,535 characters. */
export const GITHUB_MARKDOWN_LIMIT = 65_535;

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const LINE_BREAK = /\r\n?|\n/g;

/** One line: line breaks become spaces (a newline could end a table row or start a block), control characters U+FFFD. */
function oneLine(text: string): string {
  return text.replace(LINE_BREAK, " ").replace(CONTROL, "\ufffd");
}

/**
 * A word GitHub would make live in rendered text: a mention (`@login`, `@org/team`), an issue reference (`#12`,
 * `org/repo#12`, `GH-12`), a URL (`scheme://`, `www.`), an e-mail address, an emoji code (`:smile:`), a script
 * URL scheme, or a workflow expression.
 */
const LIVE_WORD = /[@#][\p{L}\p{N}_]|:\/\/|\bwww\.|\bgh-\d|:[\w+-]+:|\b(?:javascript|vbscript|data):|\$\{\{/iu;

/** Characters that are markup anywhere in a line: shown through numeric entities, which GitHub decodes. */
const ALWAYS = /[&<>|\\`*_[\]()!~$]/g;
/** Characters that are markup only where a line starts: a heading, a list item, a setext underline or thematic break. */
const AT_START = /^(?:[#+=-](?=[\s#+=-]|$)|\d{1,9}[.)](?=\s|$))/;

const entity = (c: string) => `&#${c.charCodeAt(0)};`;

/**
 * One line of user text, safe anywhere inline: in a paragraph, a list item or a table cell. It renders as the
 * same characters (line breaks as spaces, control characters as U+FFFD); a word GitHub would link is shown as
 * code instead.
 */
export function escapeText(text: string): string {
  const line = oneLine(text);
  // Words are split at whitespace and at the characters a code span would need care for (pipes, backslashes,
  // backticks), so a live word's code span never holds one and reads the same in a paragraph and in a table.
  let out = "";
  for (const [part] of line.matchAll(/[^\s|\\`]+|[\s|\\`]/g)) {
    out += LIVE_WORD.test(part) ? codeSpan(part) : part.replace(ALWAYS, entity);
  }
  const start = AT_START.exec(out);
  if (start) out = `${start[0].slice(0, -1)}${entity(start[0].slice(-1))}${out.slice(start[0].length)}`;
  return out;
}

/** `escapeText`, shortened to `max` characters (counted before escaping) with an ellipsis. */
export function escapeCell(text: string, max = 300): string {
  return escapeText(shorten(text, max));
}

/**
 * User text (or a reference, digest, tag, URL, command) as inline code: shown exactly as given, monospace, and
 * copied as given. For a paragraph or a list item; `table` and `tableCell` make it fit a table cell.
 */
export function inlineCode(text: string, max = 300): string {
  return codeSpan(shorten(oneLine(text), max));
}

/**
 * A code span per CommonMark: a fence one backtick longer than the longest backtick run inside, padded with a
 * space when the content starts or ends with a backtick or a space (the parser strips one space each side).
 */
function codeSpan(content: string): string {
  // flibs' machine-readable markers are HTML comments (`<!-- flibs:index ... -->`) found in the raw summary,
  // code spans included: a `<` opening a comment is shown outside the span, so user text never forms one.
  if (content.includes("<!--"))
    return content
      .split(/<(?=!--)/)
      .map(codeSpan)
      .join(entity("<"));
  if (content.length === 0) return "";
  const longest = Math.max(0, ...[...content.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(content) && !/^ +$/.test(content) ? " " : "";
  return `${fence}${pad}${content}${pad}${fence}`;
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * A message flibs wrote itself, with `code` in backticks around the values it quotes (a rule's finding, a
 * config error): the quoted parts become code spans, the rest is escaped like user text. The quoted values may
 * come from a user; whatever they hold, each part is escaped for what it is.
 */
export function messageMarkdown(message: string, max = 2000): string {
  return splitCode(shorten(oneLine(message), max))
    .map((p) => (p.code ? codeSpan(p.text) : escapeText(p.text)))
    .join("");
}

/** Splits text at its code spans as CommonMark reads them: a backtick run closed by the next run of the same length. */
function splitCode(text: string): Array<{ code: boolean; text: string }> {
  const parts: Array<{ code: boolean; text: string }> = [];
  let plain = "";
  let i = 0;
  while (i < text.length) {
    const open = /`+/g;
    open.lastIndex = i;
    const m = open.exec(text);
    if (!m) break;
    const close = new RegExp(`(?<!\`)${"`".repeat(m[0].length)}(?!\`)`, "g");
    close.lastIndex = m.index + m[0].length;
    const c = close.exec(text);
    if (!c) {
      plain += text.slice(i, m.index + m[0].length);
      i = m.index + m[0].length;
      continue;
    }
    plain += text.slice(i, m.index);
    if (plain) parts.push({ code: false, text: plain });
    plain = "";
    let content = text.slice(m.index + m[0].length, c.index);
    if (/^ .*[^ ].* $/.test(content)) content = content.slice(1, -1);
    if (content) parts.push({ code: true, text: content });
    i = c.index + c[0].length;
  }
  plain += text.slice(i);
  if (plain) parts.push({ code: false, text: plain });
  return parts;
}

const GITHUB_LOGIN = /^[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}(?:\[bot\])?$/;

/** `@login` for a login of GitHub's shape; anything else (never sent by GitHub) as inert text. */
export function mention(login: string): string {
  return GITHUB_LOGIN.test(login) ? `@${login}` : escapeText(login);
}

type CellValue = string | number | Markdown;

/**
 * Markdown (the caller's own, with code spans from `inlineCode`) made to fit one GFM table cell: on one line,
 * every pipe escaped, in code spans too (GFM removes the backslash there, so the span still reads as typed).
 * A backslash right before a pipe inside code cannot be written in a cell the same way for every parser: that
 * pair is taken out of the span and shown as text.
 */
export function tableCell(markdown: string): string {
  const md = markdown.replace(LINE_BREAK, " ");
  let out = "";
  let i = 0;
  while (i < md.length) {
    const c = md[i]!;
    if (c === "\\" && i + 1 < md.length) {
      out += c + md[i + 1]!;
      i += 2;
      continue;
    }
    if (c === "|") {
      out += "\\|";
      i++;
      continue;
    }
    if (c !== "`") {
      out += c;
      i++;
      continue;
    }
    const run = /^`+/.exec(md.slice(i))![0];
    const close = new RegExp(`(?<!\`)${run}(?!\`)`, "g");
    close.lastIndex = i + run.length;
    const m = close.exec(md);
    if (!m) {
      out += run;
      i += run.length;
      continue;
    }
    let content = md.slice(i + run.length, m.index);
    if (/^ .*[^ ].* $/.test(content)) content = content.slice(1, -1);
    out += content
      .split("\\|")
      .map((piece) => codeSpan(piece).replace(/\|/g, "\\|"))
      .join(`${entity("\\")}${entity("|")}`);
    i = m.index + run.length;
  }
  return out;
}

function cell(v: CellValue): string {
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return escapeCell(v);
  return tableCell(v.markdown);
}

/** A GFM table. Strings are escaped; `trusted(...)` values are the caller's own markdown, fitted to a cell. */
export function table(headers: readonly CellValue[], rows: ReadonlyArray<readonly CellValue[]>): string {
  const line = (cells: readonly CellValue[]) => `| ${cells.map(cell).join(" | ")} |`;
  return [line(headers), `|${headers.map(() => " --- ").join("|")}|`, ...rows.map(line)].join("\n");
}

/** Joins blocks with blank lines and keeps the result under GitHub's limit, saying that it was cut. */
export function joinMarkdown(blocks: ReadonlyArray<string | Markdown>, limit = GITHUB_MARKDOWN_LIMIT): string {
  const text = blocks
    .map((b) => (typeof b === "string" ? b : b.markdown))
    .filter((b) => b.length > 0)
    .join("\n\n");
  return truncateMarkdown(text, limit);
}

export function truncateMarkdown(text: string, limit = GITHUB_MARKDOWN_LIMIT): string {
  if (text.length <= limit) return text;
  const note = "\n\n… (cut to fit GitHub's size limit)";
  const cut = text.slice(0, limit - note.length);
  // Never cut inside an entity such as `&#42;`.
  const safe = cut.replace(/&#?\w*$/, "");
  return `${safe}${note}`;
}

/** Plain text (check-run titles, annotation messages): no markup is rendered, only lengths and control characters matter. */
export function plainText(text: string, max: number): string {
  const clean = text.replace(CONTROL, "\ufffd");
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/**
 * Lines of output (a failed step's last lines) as a fenced code block, shown as printed: a fence longer than any
 * backtick or tilde run inside, terminal colour codes and other control characters removed, `<!--` opened up.
 */
export function codeBlock(text: string, maxLines = 20, maxLineLength = 300): string {
  const lines = text
    .replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, "")
    .replace(/\r\n?/g, "\n")
    .split("\n")
    // flibs' markers are HTML comments read from the raw summary: printed output never forms one.
    .map((l) => shorten(l.replace(CONTROL, "").replace(/\t/g, "  ").replace(/<!--/g, "<! --"), maxLineLength))
    .filter((l, i, all) => !(l.trim() === "" && (i === 0 || i === all.length - 1)))
    .slice(-maxLines);
  const longest = Math.max(2, ...lines.flatMap((l) => [...l.matchAll(/`+|~+/g)].map((m) => m[0].length)));
  const fence = "`".repeat(longest + 1);
  return `${fence}text\n${lines.join("\n")}\n${fence}`;
}
