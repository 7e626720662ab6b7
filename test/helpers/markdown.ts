/**
 * Markdown as a reader sees it: parsed with a CommonMark + GFM parser (micromark with its GFM extensions:
 * tables, autolink literals, strikethrough, footnotes), then read back as the rendered document. Tests use it to
 * assert what GitHub shows rather than which escapes were written:
 * - `codeSpans`: the text of every code span, which is what a reader copies;
 * - `renderedText`: the text a reader sees (entities decoded, escapes consumed, code spans' content as is);
 * - `readerProblems`: anything that shows its escaping (an entity or a backslash escape left visible, an
 *   invisible character such as U+200B that a copy would carry), live markup (HTML, a link, an image, a mention,
 *   an issue reference) the caller did not allow, or a table row whose cells do not match its header.
 *
 * GitHub renders with cmark-gfm and then links mentions, references and URLs in the rendered text (never inside
 * code or links). Where micromark and cmark-gfm disagree (GFM spec, "Tables": cmark-gfm's cell scanner reads `\\|`
 * as an escaped backslash and an escaped pipe, micromark as an escaped backslash and a cell break), flibs writes
 * neither form; `readerProblems` reports the pair so that stays true.
 */
import type { Nodes, Root, RootContent, Table } from "mdast";
import { fromMarkdown } from "mdast-util-from-markdown";
import { gfmFromMarkdown } from "mdast-util-gfm";
import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";

export function parseMarkdown(md: string): Root {
  return fromMarkdown(md, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
}

/** HTML as a CommonMark + GFM renderer writes it (raw HTML in the source kept, as GitHub keeps then sanitizes it). */
export function renderHtml(md: string): string {
  return micromark(md, { extensions: [gfm()], htmlExtensions: [gfmHtml()], allowDangerousHtml: true });
}

function walk(node: Nodes, visit: (n: Nodes, ancestors: readonly Nodes[]) => void, ancestors: Nodes[] = []): void {
  visit(node, ancestors);
  if ("children" in node) for (const child of node.children as Nodes[]) walk(child, visit, [...ancestors, node]);
}

function collect<T extends Nodes["type"]>(md: string | Root, type: T): Array<Extract<Nodes, { type: T }>> {
  const out: Array<Extract<Nodes, { type: T }>> = [];
  walk(typeof md === "string" ? parseMarkdown(md) : md, (n) => {
    if (n.type === type) out.push(n as Extract<Nodes, { type: T }>);
  });
  return out;
}

/** The content of every code span, in order: exactly what a reader selects and copies. */
export function codeSpans(md: string): string[] {
  return collect(md, "inlineCode").map((n) => n.value);
}

/** Links (`[text](url)`, autolinks and GFM's autolinked URLs and e-mail addresses) as rendered. */
export function links(md: string): Array<{ url: string; text: string }> {
  return collect(md, "link").map((n) => ({ url: n.url, text: textOf(n) }));
}

function textOf(node: Nodes): string {
  switch (node.type) {
    case "text":
    case "inlineCode":
    case "code":
    case "html":
      return node.value;
    case "break":
      return "\n";
    default:
      if (!("children" in node)) return "";
      return (node.children as Nodes[]).map(textOf).join(node.type === "tableRow" ? " | " : "");
  }
}

/** The rendered text of the whole document, blocks on their own lines, a table's cells joined with " | ". */
export function renderedText(md: string): string {
  const block = (n: RootContent): string => {
    if (n.type === "list") return n.children.map((item) => item.children.map(block).join("\n")).join("\n");
    if (n.type === "table") return n.children.map(textOf).join("\n");
    if (n.type === "blockquote") return n.children.map(block).join("\n");
    return textOf(n);
  };
  return parseMarkdown(md).children.map(block).join("\n");
}

/** The cells of each table, as rendered text; rows as written (GFM would drop or pad cells to the header's count). */
export function tables(md: string): string[][][] {
  return collect(md, "table").map((t: Table) => t.children.map((row) => row.children.map((c) => textOf(c))));
}

export interface ReaderAllowance {
  /** URL prefixes flibs links to on purpose. */
  links?: readonly string[];
  /** Logins mentioned on purpose. */
  mentions?: readonly string[];
  /** The App's own HTML-comment markers (check-run summaries carry them). */
  markers?: boolean;
  /** The user text rendered holds entity- or escape-like text itself (`&lt;`, `a \\| b`): do not report it as shown escaping. */
  escapesInInput?: boolean;
}

const INVISIBLE = /[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]/u;
const VISIBLE_ESCAPE = /&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);|\\[!-/:-@[-`{-~]/i;
const MARKER = /^<!-- flibs:[^<>]*-->$/;

/**
 * What a reader would see wrong in rendered `md`: escaping that shows, invisible characters, live markup not
 * allowed, malformed tables. Empty when the screen reads as typed and carries nothing live by accident.
 */
export function readerProblems(md: string, allow: ReaderAllowance = {}): string[] {
  const problems: string[] = [];
  const linkPrefixes = allow.links ?? [];
  const mentions = new Set((allow.mentions ?? []).map((m) => m.toLowerCase()));
  const tree = parseMarkdown(md);
  walk(tree, (n, ancestors) => {
    const inLink = ancestors.some((a) => a.type === "link");
    switch (n.type) {
      case "html":
        if (!(allow.markers && MARKER.test(n.value.trim()))) problems.push(`raw HTML ${JSON.stringify(n.value.slice(0, 60))}`);
        return;
      case "image":
      case "imageReference":
        problems.push(`an image ${JSON.stringify("url" in n ? n.url : n.identifier)}`);
        return;
      case "linkReference":
      case "definition":
      case "footnoteReference":
      case "footnoteDefinition":
        problems.push(`a ${n.type}`);
        return;
      case "link":
        if (!linkPrefixes.some((p) => n.url.startsWith(p))) problems.push(`a link to ${JSON.stringify(n.url)}`);
        return;
      case "inlineCode":
      case "code":
        if (INVISIBLE.test(n.value)) problems.push(`an invisible character in code ${JSON.stringify(n.value)}`);
        if (!allow.escapesInInput && VISIBLE_ESCAPE.test(n.value)) problems.push(`escaping shown in code ${JSON.stringify(n.value)}`);
        return;
      case "text": {
        if (INVISIBLE.test(n.value)) problems.push(`an invisible character in ${JSON.stringify(n.value)}`);
        if (!allow.escapesInInput && VISIBLE_ESCAPE.test(n.value)) problems.push(`escaping shown in ${JSON.stringify(n.value)}`);
        if (inLink) return;
        // GitHub links these in rendered text (outside code and links).
        for (const m of n.value.matchAll(/(?<![\w`/])@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))(\/[\w.-]+)?/g)) {
          if (m[2] || !mentions.has(m[1]!.toLowerCase())) problems.push(`a mention ${m[0]}`);
        }
        for (const m of n.value.matchAll(/(?<![\w/])#\d+\b|(?<![@\w-])GH-\d+|[\w.-]+\/[\w.-]+#\d+/gi)) problems.push(`a reference ${m[0]}`);
        if (/\$\{\{/.test(n.value)) problems.push(`a workflow expression ${JSON.stringify(n.value.slice(0, 60))}`);
        if (/:[a-z0-9_+-]+:/i.test(n.value)) problems.push(`an emoji code in ${JSON.stringify(n.value.slice(0, 60))}`);
        return;
      }
      case "delete":
        problems.push("struck-through text");
        return;
      case "emphasis":
      case "strong":
      case "heading":
      case "thematicBreak":
      case "blockquote":
        // flibs writes these itself; `escaped` tests ask for none at all.
        return;
    }
  });
  for (const t of collect(tree, "table")) {
    const header = t.children[0]?.children.length ?? 0;
    t.children.forEach((row, i) => {
      if (row.children.length !== header) problems.push(`table row ${i} has ${row.children.length} cells, the header ${header}`);
    });
  }
  for (const line of md.split("\n")) {
    if (/^\s*\|/.test(line) && /(?<!\\)(?:\\\\)+\|/.test(line))
      problems.push(`a table line with \`\\\\|\` (parsers disagree): ${JSON.stringify(line.slice(0, 80))}`);
  }
  return problems;
}

/** Block and inline markup in `md` beyond text, code spans and the paragraphs, lists or tables holding them. */
export function markupTypes(md: string): string[] {
  const types = new Set<string>();
  walk(parseMarkdown(md), (n) => {
    if (!["root", "paragraph", "text", "inlineCode", "table", "tableRow", "tableCell", "list", "listItem"].includes(n.type))
      types.add(n.type);
  });
  return [...types];
}

/** The rendered text outside code spans and code blocks: where a stray backtick means a code span that did not form. */
export function textOutsideCode(md: string): string {
  return collect(md, "text")
    .map((n) => n.value)
    .join(" ");
}

/** The content of every fenced or indented code block, in order (what a reader copies from it). */
export function codeBlocks(md: string): string[] {
  return collect(md, "code").map((n) => n.value);
}
