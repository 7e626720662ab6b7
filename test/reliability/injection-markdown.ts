/**
 * A small checker for markdown the App sends GitHub (check-run summaries and texts, comment bodies): it finds
 * what user text could make live if it went in unescaped. It follows GitHub's rules where they matter:
 * - GFM splits a table row into cells before any inline parsing, on every `|` not escaped by a backslash (a `\`
 *   escapes the next character, so in `\\|` the pipe splits), code spans included;
 * - code spans (CommonMark: a backtick run closed by the next run of the same length) are inert: no HTML, no
 *   links, no mentions, no references;
 * - everywhere else, a raw `<` starts HTML (or an autolink), `[..](..)` / `![..](..)` is a link / an image, a URL
 *   or `www.` is autolinked, `@login` and `@org/team` are mentions, `#123`, `GH-123` and `owner/repo#123` are
 *   references, and a line opening with ``` or ~~~ starts a fenced block that swallows what follows.
 * The App's own constructs are allowed by name: its HTML-comment markers, links to allowed URL prefixes, and the
 * mentions and references the caller says the App writes on purpose.
 */

export interface MarkdownAllowance {
  /** Logins the App mentions on purpose (the commenter it answers). */
  mentions?: readonly string[];
  /** Issue/PR numbers the App references on purpose. */
  refs?: readonly number[];
  /** URL prefixes the App links to on purpose. */
  links?: readonly string[];
  /** The text may carry the App's own HTML-comment markers (check-run summaries do; comments never). */
  markers?: boolean;
  /** Index digests the App may record (a tested build's); any other index marker is a forgery. */
  digests?: readonly string[];
}

/** The machine-readable markers the App writes itself (src/core/report/*-marker.ts). */
const APP_MARKER =
  /<!-- flibs:(?:plan \{[^<>]*\}|index sha256:[0-9a-f]{64}|stable [^\s<>]+@sha256:[0-9a-f]{64}|run [1-9][0-9]*|promotion tested=(?:[0-9a-f]{40}|-) tags=(?:[A-Za-z0-9_][A-Za-z0-9._-]{0,127}:(?:immutable|floating),?)*|digests \{(?:"(?:x86_64|aarch64|ppc64le|s390x)":"sha256:[0-9a-f]{64}",?)*\}) -->/g;
const DEFAULT_LINKS = ["https://github.com/"];

/** Cells of a GFM table row, split as GitHub does (escaped pipes stay in the cell). */
export function gfmCells(line: string): string[] {
  const t = line.trim();
  const cells: string[] = [];
  let cur = "";
  let endsWithPipe = false;
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    endsWithPipe = false;
    // cmark-gfm: a backslash escapes the next ASCII punctuation (a backslash too, so `\\|` splits).
    if (c === "\\" && i + 1 < t.length && /[!-/:-@[-`{-~]/.test(t[i + 1]!)) {
      cur += c + t[i + 1]!;
      i++;
      continue;
    }
    if (c === "|") {
      cells.push(cur);
      cur = "";
      endsWithPipe = true;
      continue;
    }
    cur += c;
  }
  if (!endsWithPipe) cells.push(cur);
  // A leading pipe opens the row, not a cell.
  if (t.startsWith("|")) cells.shift();
  return cells;
}

const DELIMITER_ROW = /^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$/;

/** The line with every code span replaced by a space (its content is inert), per CommonMark's backtick rules. */
export function outsideCode(line: string): string {
  let out = "";
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === "\\" && i + 1 < line.length) {
      out += c + line[i + 1]!;
      i += 2;
      continue;
    }
    if (c !== "`") {
      out += c;
      i++;
      continue;
    }
    let n = 0;
    while (line[i + n] === "`") n++;
    // Find the closing run of exactly n backticks.
    let j = i + n;
    let close = -1;
    while (j < line.length) {
      if (line[j] === "`") {
        let m = 0;
        while (line[j + m] === "`") m++;
        if (m === n) {
          close = j;
          break;
        }
        j += m;
      } else j++;
    }
    if (close < 0) {
      out += "`".repeat(n); // no closer: literal backticks
      i += n;
      continue;
    }
    out += " ";
    i = close + n;
  }
  return out;
}

/**
 * Inline link destinations (`](dest)`), parsed as CommonMark does (`<...>`, or up to whitespace or an unbalanced
 * `)`), cut out of the text: what stands in a destination is a URL, not text that can mention or link.
 */
export function linkTargets(line: string): { text: string; targets: string[] } {
  const targets: string[] = [];
  let text = "";
  let i = 0;
  while (i < line.length) {
    const at = line.indexOf("](", i);
    if (at < 0) {
      text += line.slice(i);
      break;
    }
    text += line.slice(i, at + 2);
    let j = at + 2;
    while (line[j] === " ") j++;
    let dest = "";
    if (line[j] === "<") {
      const close = line.indexOf(">", j);
      dest = close < 0 ? line.slice(j) : line.slice(j + 1, close);
      j = close < 0 ? line.length : close + 1;
    } else {
      let depth = 0;
      while (j < line.length) {
        const c = line[j]!;
        if (c === "\\" && j + 1 < line.length) {
          dest += c + line[j + 1]!;
          j += 2;
          continue;
        }
        if (/\s/.test(c)) break;
        if (c === "(") depth++;
        if (c === ")") {
          if (depth === 0) break;
          depth--;
        }
        dest += c;
        j++;
      }
    }
    targets.push(dest);
    i = j;
  }
  return { text, targets };
}

/** What in `md` would be live markup that the App did not mean to write. Empty when the text is inert. */
export function markdownHazards(md: string, allow: MarkdownAllowance = {}): string[] {
  const problems: string[] = [];
  const mentions = new Set((allow.mentions ?? []).map((m) => m.toLowerCase()));
  const refs = new Set(allow.refs ?? []);
  const links = [...DEFAULT_LINKS, ...(allow.links ?? [])];
  const lines = md.split(/\r\n|\r|\n/);
  let tableCells: number | undefined;
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n]!;
    const where = `line ${n + 1} ${JSON.stringify(raw.length > 120 ? `${raw.slice(0, 120)}…` : raw)}`;
    if (/^ {0,3}(?:`{3,}|~{3,})/.test(raw)) problems.push(`${where}: opens a fenced code block`);
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(raw)) problems.push(`${where}: a control character`);

    // Tables: a header row followed by a delimiter row; every row until a blank line keeps the header's cells.
    if (tableCells === undefined && raw.includes("|") && DELIMITER_ROW.test(lines[n + 1] ?? "") && (lines[n + 1] ?? "").includes("-")) {
      tableCells = gfmCells(raw).length;
      const delim = gfmCells(lines[n + 1]!).length;
      if (delim !== tableCells) problems.push(`${where}: header has ${tableCells} cells, delimiter ${delim}`);
    } else if (tableCells !== undefined) {
      if (raw.trim() === "") tableCells = undefined;
      else if (!DELIMITER_ROW.test(raw)) {
        const cells = gfmCells(raw).length;
        if (!raw.trimStart().startsWith("|"))
          problems.push(`${where}: a table row that does not start with a pipe (a line break in a cell?)`);
        else if (cells !== tableCells) problems.push(`${where}: a table row with ${cells} cells, the header has ${tableCells}`);
      }
    }

    const { text, targets } = linkTargets(outsideCode(allow.markers ? raw.replace(APP_MARKER, " ") : raw));
    if (/</.test(text)) problems.push(`${where}: raw "<" outside code (HTML or an autolink)`);
    if (/!\[/.test(text)) problems.push(`${where}: an image`);
    if (/^\s{0,3}\[[^\]]+\]:/.test(text)) problems.push(`${where}: a link reference definition`);
    for (const target of targets) {
      if (!links.some((p) => target.startsWith(p))) problems.push(`${where}: a link to ${JSON.stringify(target)}`);
    }
    if (/\]\[[^\]]*\]/.test(text)) problems.push(`${where}: a reference link`);
    // Autolinks (GFM extension): URLs and www. outside link destinations.
    for (const m of text.matchAll(/\b(?:[a-z][a-z0-9+.-]*:\/\/|www\.)[^\s<]*/gi)) {
      if (!links.some((p) => m[0].startsWith(p))) problems.push(`${where}: an autolinked URL ${JSON.stringify(m[0].slice(0, 60))}`);
    }
    if (/javascript:|vbscript:|data:text\/html/i.test(text)) problems.push(`${where}: a script URL scheme outside code`);
    if (/[\w.+-]+@[A-Za-z0-9-]+\.[A-Za-z]{2,}/.test(text)) problems.push(`${where}: an autolinked e-mail address`);
    for (const m of text.matchAll(/(?<![\w`/&])@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))(\/[\w.-]+)?/g)) {
      if (m[2] || !mentions.has(m[1]!.toLowerCase())) problems.push(`${where}: a mention ${m[0]}`);
    }
    for (const m of text.matchAll(/(?<![\w&/])#(\d+)\b/g)) {
      if (!refs.has(Number(m[1]))) problems.push(`${where}: a reference ${m[0]}`);
    }
    if (/(?<![@\w-])GH-\d+/i.test(text)) problems.push(`${where}: a GH- reference`);
    if (/[\w.-]+\/[\w.-]+#\d+/.test(text)) problems.push(`${where}: a cross-repository reference`);
    if (/\$\{\{/.test(text)) problems.push(`${where}: a workflow expression outside code`);
  }
  return problems;
}

/**
 * Plain-text fields (check-run titles, annotation messages and titles): GitHub renders no markup in them, so only
 * control characters (which could spoof or break the UI) and GitHub's size limits matter.
 */
export function plainTextHazards(text: string, max: number): string[] {
  const problems: string[] = [];
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text))
    problems.push(`control character in ${JSON.stringify(text.slice(0, 80))}`);
  if (text.length > max) problems.push(`${text.length} characters, over ${max}`);
  return problems;
}
