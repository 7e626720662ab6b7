import { CST, isMap, isSeq, Lexer, parseDocument, visit, type Document, type Node } from "yaml";
import type { z } from "zod";
import type { Finding } from "../findings.js";
import { issueMessages } from "./issue-message.js";

export const CONFIG_SYNTAX_RULE = "config-syntax";
export const CONFIG_SCHEMA_RULE = "config-schema";

export type ParsedConfig<T> = { ok: true; value: T; findings: Finding[] } | { ok: false; findings: Finding[] };

/**
 * Parses YAML text and validates it against a schema. Every problem is a finding on the line (1-based) of
 * the YAML node it concerns, so a check run can annotate it; nothing throws.
 */
export function parseYamlConfig<S extends z.ZodType>(text: string, file: string, schema: S): ParsedConfig<z.infer<S>> {
  const at = lineIndex(text);
  const tooBig = sizeProblem(text, at);
  if (tooBig) return { ok: false, findings: [finding(CONFIG_SYNTAX_RULE, file, tooBig.line, tooBig.col, tooBig.message)] };
  let doc: Document.Parsed;
  try {
    // logLevel "error": warnings stay in doc.warnings instead of going to the process's stderr.
    doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, logLevel: "error" });
  } catch (e) {
    return { ok: false, findings: [finding(CONFIG_SYNTAX_RULE, file, 1, 1, `cannot parse YAML: ${String(e)}`)] };
  }
  if (doc.errors.length > 0) {
    return {
      ok: false,
      findings: doc.errors.map((e) => {
        const p = at(e.pos[0]);
        return finding(CONFIG_SYNTAX_RULE, file, p.line, p.col, `YAML syntax: ${e.message.split("\n")[0]}`);
      }),
    };
  }
  // Aliases are resolved here, not while parsing: an alias to no anchor, or one expanding into more than
  // MAX_ALIAS_USES nodes (a "billion laughs" bomb), throws a ReferenceError, which becomes a finding on the alias.
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_USES }) ?? {};
  } catch (e) {
    const p = at(firstAlias(doc)?.range?.[0]);
    return { ok: false, findings: [finding(CONFIG_SYNTAX_RULE, file, p.line, p.col, aliasMessage(e))] };
  }
  const result = schema.safeParse(data);
  if (result.success) return { ok: true, value: result.data, findings: [] };
  return {
    ok: false,
    findings: issueMessages(result.error.issues, data, schema).map(({ path, message, unknownKey }) => {
      // An unknown key is reported on the key itself, one finding per key.
      const node = unknownKey ? keyNodeAt(doc, path) : nodeAt(doc, path);
      const p = at(node?.range?.[0]);
      return finding(CONFIG_SCHEMA_RULE, file, p.line, p.col, message);
    }),
  };
}

/**
 * A config file is a few hundred bytes; past this it is not parsed. The YAML parser's time grows with the
 * square of some inputs (many keys, aliases, stray brackets): 8 KiB keeps the worst case near a second.
 */
export const MAX_CONFIG_CHARS = 8 * 1024;
/** Flow collections (`[`, `{`) nested deeper than this are refused before parsing: the parser slows to minutes. */
export const MAX_FLOW_DEPTH = 64;
/** Block indicators (`- `, `? `, `: `) on one line, i.e. compact nesting on one line, refused past this. */
const MAX_INDICATORS_PER_LINE = 32;

/**
 * Refuses text too large or nested too deeply to parse in bounded time, with one linear pass of the YAML
 * lexer (which knows quotes, comments and block scalars); the position is where the limit is passed.
 */
function sizeProblem(
  text: string,
  at: (offset: number) => { line: number; col: number },
): { line: number; col: number; message: string } | undefined {
  if (text.length > MAX_CONFIG_CHARS) {
    return {
      ...at(MAX_CONFIG_CHARS),
      message: `the file is larger than ${MAX_CONFIG_CHARS / 1024} KiB; flibs does not read configuration that large`,
    };
  }
  let depth = 0;
  let onLine = 0;
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    const type = CST.tokenType(token);
    if (type === "flow-map-start" || type === "flow-seq-start") {
      if (++depth > MAX_FLOW_DEPTH) return { ...at(offset), message: `YAML nested deeper than ${MAX_FLOW_DEPTH} levels` };
    } else if (type === "flow-map-end" || type === "flow-seq-end") {
      if (depth === 0) return { ...at(offset), message: `YAML syntax: \`${token}\` closes nothing` };
      depth--;
    } else if (type === "newline") onLine = 0;
    else if ((type === "seq-item-ind" || type === "explicit-key-ind" || type === "map-value-ind") && ++onLine > MAX_INDICATORS_PER_LINE) {
      return { ...at(offset), message: `YAML nested deeper than ${MAX_INDICATORS_PER_LINE} levels on one line` };
    }
    // The lexer's mode markers (document, scalar, flow error) stand for no source text.
    if (type !== "doc-mode" && type !== "flow-error-end" && token !== CST.SCALAR) offset += token.length;
  }
  return undefined;
}

/** 1-based line and column (UTF-16 units) of an offset, counting lines as git does (LF; CRLF is one break). */
function lineIndex(text: string): (offset: number | undefined) => { line: number; col: number } {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return (offset) => {
    const o = Math.max(0, Math.min(offset ?? 0, text.length));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    const start = starts[lo]!;
    // An offset on the CR or LF ending a line points just past the line's last character.
    const next = starts[lo + 1];
    const end = next === undefined ? text.length : next - 1 - (text[next - 2] === "\r" ? 1 : 0);
    return { line: lo + 1, col: Math.min(o, end) - start + 1 };
  };
}

/** How many alias uses (weighted by what each expands to) a file may have before it counts as a bomb. */
const MAX_ALIAS_USES = 100;

function aliasMessage(e: unknown): string {
  const text = e instanceof Error ? (e.message.split("\n")[0] ?? e.name) : String(e);
  if (/excessive alias count/i.test(text))
    return `YAML aliases expand to too many values (more than ${MAX_ALIAS_USES} alias uses); write the values out`;
  if (/unresolved alias/i.test(text)) return `YAML alias names no anchor defined before it: ${text.replace(/^.*?:\s*/, "")}`;
  return `YAML aliases: ${text}`;
}

function firstAlias(doc: Document.Parsed): Node | undefined {
  let found: Node | undefined;
  visit(doc, {
    Alias(_, node) {
      found = node;
      return visit.BREAK;
    },
  });
  return found;
}

function keyNodeAt(doc: Document.Parsed, path: readonly PropertyKey[]): Node | undefined {
  const parent = nodeAt(doc, path.slice(0, -1));
  if (!isMap(parent)) return parent;
  const pair = parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === path[path.length - 1]);
  return (pair?.key as Node | undefined) ?? parent;
}

/** The deepest node that exists along `path` (an unknown key points at its own key; a missing one at its parent). */
function nodeAt(doc: Document.Parsed, path: readonly PropertyKey[]): Node | undefined {
  let node: unknown = doc.contents;
  let best = node as Node | undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
      if (!pair) break;
      best = (pair.value as Node | null) ?? (pair.key as Node);
      node = pair.value;
    } else if (isSeq(node) && typeof key === "number") {
      const item = node.items[key] as Node | undefined;
      if (!item) break;
      best = item;
      node = item;
    } else break;
  }
  return best;
}

function finding(rule: string, file: string, line: number, column: number, message: string): Finding {
  return { rule, severity: "error", file, line, column, message };
}
