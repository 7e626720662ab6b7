/**
 * Markdown for check-run summaries and comments. Text that came from a user (a Dockerfile, a config
 * value, a PR) goes through `escapeText` or `escapeCell`, so it renders as the same characters and can
 * never become a link, an image, a mention, an issue reference, raw HTML or table structure.
 */

/** Markdown the caller wrote itself (not user text): inserted verbatim by `table` and `joinMarkdown`. */
export interface Markdown {
  readonly markdown: string;
}

export const trusted = (markdown: string): Markdown => ({ markdown });

const ZWSP = "\u200b";

/** GitHub's summary and comment bodies are capped at 65,535 characters. */
export const GITHUB_MARKDOWN_LIMIT = 65_535;

/**
 * One line of inline text, safe anywhere in a paragraph or a table cell.
 * - `&`, `<`, `>` and markdown punctuation become numeric entities (no HTML, no emphasis, no links);
 * - `@` and `#` get a zero-width space after them, because GitHub links mentions and references in the
 *   rendered text, where an entity would already be decoded;
 * - `://`, `www.` and e-mail addresses are broken the same way, so GFM's autolinker skips them;
 * - line breaks become spaces (a newline could end a table row or start a block).
 */
export function escapeText(text: string): string {
  return text
    .replace(/\r\n?|\n/g, " ")
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "\ufffd")
    .replace(/:\/\//g, `:${ZWSP}//`)
    .replace(/\b(www)\./gi, `$1${ZWSP}.`)
    .replace(/[@#]/g, (c) => `${c}${ZWSP}`)
    .replace(/[&<>"'\\`*_{}[\]()!|~^$=:+-]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `escapeText`, shortened to `max` characters (counted before escaping) with an ellipsis. */
export function escapeCell(text: string, max = 300): string {
  const short = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  return escapeText(short);
}

/**
 * User text as inline code: shown verbatim in a monospace span. Inside a code span HTML and markdown are
 * inert and GitHub links no mentions; a pipe is still escaped because table parsing runs before inline parsing.
 */
export function inlineCode(text: string, max = 300): string {
  // Control characters (NUL, ESC, ...) are shown as U+FFFD here too: a code span shows them verbatim otherwise.
  let t = text.replace(/\r\n?|\n/g, " ").replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "\ufffd");
  if (t.length > max) t = `${t.slice(0, max - 1)}…`;
  t = t.replace(/\|/g, "\\|");
  const longest = Math.max(0, ...[...t.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = t.startsWith("`") || t.endsWith("`") || t.startsWith(" ") || t.endsWith(" ") ? " " : "";
  return t.length === 0 ? "" : `${fence}${pad}${t}${pad}${fence}`;
}

const GITHUB_LOGIN = /^[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}(?:\[bot\])?$/;

/** `@login` for a login of GitHub's shape; anything else (never sent by GitHub) as inert text. */
export function mention(login: string): string {
  return GITHUB_LOGIN.test(login) ? `@${login}` : escapeText(login);
}

type CellValue = string | number | Markdown;

function cell(v: CellValue): string {
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return escapeCell(v);
  return v.markdown.replace(/\r\n?|\n/g, " ").replace(/(?<!\\)\|/g, "\\|");
}

/** A GFM table. Strings are escaped; `trusted(...)` values are the caller's own markdown. */
export function table(headers: readonly CellValue[], rows: readonly (readonly CellValue[])[]): string {
  const line = (cells: readonly CellValue[]) => `| ${cells.map(cell).join(" | ")} |`;
  return [line(headers), `|${headers.map(() => " --- ").join("|")}|`, ...rows.map(line)].join("\n");
}

/** Joins blocks with blank lines and keeps the result under GitHub's limit, saying that it was cut. */
export function joinMarkdown(blocks: readonly (string | Markdown)[], limit = GITHUB_MARKDOWN_LIMIT): string {
  const text = blocks.map((b) => (typeof b === "string" ? b : b.markdown)).filter((b) => b.length > 0).join("\n\n");
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
  const clean = text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "\ufffd");
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
