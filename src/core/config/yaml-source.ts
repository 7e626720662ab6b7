import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import type { z } from "zod";
import type { Finding } from "../findings.js";

export const CONFIG_SYNTAX_RULE = "config-syntax";
export const CONFIG_SCHEMA_RULE = "config-schema";

export type ParsedConfig<T> = { ok: true; value: T; findings: Finding[] } | { ok: false; findings: Finding[] };

/**
 * Parses YAML text and validates it against a schema. Every problem is a finding on the line (1-based) of
 * the YAML node it concerns, so a check run can annotate it; nothing throws.
 */
export function parseYamlConfig<S extends z.ZodType>(text: string, file: string, schema: S): ParsedConfig<z.infer<S>> {
  const lines = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  } catch (e) {
    return { ok: false, findings: [finding(CONFIG_SYNTAX_RULE, file, 1, 1, `cannot parse YAML: ${String(e)}`)] };
  }
  const at = (offset: number | undefined) => {
    const pos = lines.linePos(offset ?? 0);
    return { line: pos.line, col: pos.col };
  };
  if (doc.errors.length > 0) {
    return {
      ok: false,
      findings: doc.errors.map((e) => {
        const p = at(e.pos[0]);
        return finding(CONFIG_SYNTAX_RULE, file, p.line, p.col, `YAML syntax: ${e.message.split("\n")[0]}`);
      }),
    };
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {};
  const result = schema.safeParse(data);
  if (result.success) return { ok: true, value: result.data, findings: [] };
  return {
    ok: false,
    findings: result.error.issues.flatMap((issue) => {
      // An unknown key is reported on the key itself, one finding per key.
      const paths = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
      return paths.map((path) => {
        const node = issue.code === "unrecognized_keys" ? keyNodeAt(doc, path) : nodeAt(doc, path);
        const p = at(node?.range?.[0]);
        const where = path.length ? `${path.join(".")}: ` : "";
        return finding(CONFIG_SCHEMA_RULE, file, p.line, p.col, `${where}${messageFor(issue, data, path)}`);
      });
    }),
  };
}

function messageFor(issue: z.core.$ZodIssue, data: unknown, path: readonly PropertyKey[]): string {
  if ((issue.code === "invalid_type" || issue.code === "invalid_union") && valueAt(data, issue.path) === undefined) {
    return "is required";
  }
  switch (issue.code) {
    case "unrecognized_keys":
      return `unknown key \`${String(path[path.length - 1])}\``;
    case "invalid_type":
      return `must be ${issue.expected}`;
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_union":
      return "is neither of the accepted forms (see the config reference)";
    default:
      return issue.message;
  }
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = data;
  for (const k of path) v = v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
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
