import type { z } from "zod";
import { ARCHES, platformToArch } from "../platform.js";
import { closestMatch } from "../suggest.js";

/**
 * Config errors in the words of the file a person wrote, not of the schema: the bad value, what it should be,
 * and the closest valid value or key (`arm64` is not an arch flibs builds: did you mean `aarch64`?).
 */
export function issueMessage(issue: z.core.$ZodIssue, data: unknown, path: readonly PropertyKey[], schema: z.ZodType): string {
  const value = valueAt(data, path);
  const key = path.at(-1);
  const name =
    key === undefined ? "the file" : typeof key === "number" ? `item ${key + 1} of \`${String(path.at(-2) ?? "")}\`` : `\`${String(key)}\``;
  const inParent = path.length > 1 ? ` in ${where(path.slice(0, -1))}` : "";
  if ((issue.code === "invalid_type" || issue.code === "invalid_union") && value === undefined) {
    return `${name} is required${inParent}`;
  }
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = knownKeys(schema, path.slice(0, -1));
      const guess = closestMatch(String(key), known);
      const base = `unknown key \`${String(key)}\`${inParent}`;
      if (guess) return `${base}: did you mean \`${guess}\`?`;
      return known.length > 0 ? `${base} (known keys: ${known.map((k) => `\`${k}\``).join(", ")})` : base;
    }
    case "invalid_value": {
      const values = issue.values.map(String);
      const shown = shownValue(value);
      const noun = enumNoun(values, key);
      const arch =
        values.every((v) => (ARCHES as readonly string[]).includes(v)) && typeof value === "string"
          ? platformToArch(`linux/${value}`)
          : undefined;
      // Only a typed word has a closest spelling (a mapping with no prototype cannot even be turned into a string).
      const guess = arch ?? (typeof value === "string" || typeof value === "number" ? closestMatch(String(value), values) : undefined);
      if (guess && values.includes(guess)) return `${shown} is not ${noun}: did you mean \`${guess}\`?`;
      return `${shown} is not ${noun}: use ${orList(values.map((v) => `\`${v}\``))}`;
    }
    case "invalid_type":
      return `${name} must be ${typeWords(issue.expected)}, not ${shownValue(value)}`;
    case "invalid_union":
      return `${name} must be ${unionWords(schema, path) ?? "one of the accepted forms (see the configuration reference)"}, not ${shownValue(value)}`;
    case "too_small":
      return issue.origin === "array" ? `${name} must list at least ${issue.minimum}` : `${name} must not be empty`;
    case "invalid_format":
      return issue.message.startsWith("not ") ? `${shownValue(value)} is ${issue.message}` : `${shownValue(value)}: ${issue.message}`;
    default:
      return `${name}: ${issue.message}`;
  }
}

/** A path as a person says it: `registries`, `tests` item 2, `runner_labels.aarch64`. */
export function where(path: readonly PropertyKey[]): string {
  const parts: string[] = [];
  for (const k of path) {
    if (typeof k === "number") parts.push(`item ${k + 1}`);
    else parts.push(`\`${String(k)}\``);
  }
  return parts.join(" ").replace(/` `/g, ".");
}

function enumNoun(values: readonly string[], key: PropertyKey | undefined): string {
  const same = (xs: readonly string[]) => xs.length === values.length && xs.every((x) => values.includes(x));
  if (same(ARCHES)) return "an arch flibs builds";
  if (same(["read", "triage", "write", "maintain", "admin"])) return "a repository permission";
  if (same(["off", "info", "warning", "error"])) return "a rule level";
  return typeof key === "string" ? `a value \`${key}\` takes` : "an accepted value";
}

function typeWords(expected: string): string {
  switch (expected) {
    case "string":
      return "text";
    case "array":
      return "a list";
    case "object":
    case "record":
      return "a mapping (`key: value` lines)";
    case "boolean":
      return "true or false";
    case "number":
    case "int":
      return "a number";
    default:
      return expected;
  }
}

function shownValue(value: unknown): string {
  if (value === null) return "empty";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return `\`${value.length > 60 ? `${value.slice(0, 59)}…` : value}\``;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint" || value === undefined)
    return `\`${String(value)}\``;
  // YAML gives no other kind of value; a function or symbol would come from a caller's bug.
  return "a value";
}

function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = data;
  for (const k of path) v = v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
}

const defOf = (s: z.ZodType): Def => (s as unknown as { def: Def }).def;

/** The schema at a path, through defaults, optionals, arrays and records. */
function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let s: z.ZodType | undefined = unwrap(schema);
  for (const k of path) {
    if (!s) return undefined;
    const d = defOf(s);
    if (d.type === "object" && typeof k === "string") s = d.shape?.[k];
    else if (d.type === "array") s = d.element;
    else if (d.type === "record") s = d.valueType;
    else return undefined;
    s = s && unwrap(s);
  }
  return s;
}

function unwrap(s: z.ZodType): z.ZodType {
  let d = defOf(s);
  while ((d.type === "default" || d.type === "optional" || d.type === "nullable" || d.type === "prefault") && d.innerType) {
    s = d.innerType;
    d = defOf(s);
  }
  return s;
}

function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const s = schemaAt(schema, path);
  return s && defOf(s).type === "object" ? Object.keys(defOf(s).shape ?? {}) : [];
}

function unionWords(schema: z.ZodType, path: readonly PropertyKey[]): string | undefined {
  const s = schemaAt(schema, path);
  const options = s && defOf(s).type === "union" ? (defOf(s).options ?? []) : [];
  const words = options.map((o) => {
    const d = defOf(unwrap(o));
    if (d.type === "array" && d.element) return `a list of ${typeWords(defOf(unwrap(d.element)).type)}`;
    return typeWords(d.type);
  });
  return words.length > 0 ? orList(words) : undefined;
}

/**
 * Every problem zod found, one per unknown key, each with its path. `withPlace` prefixes the messages that do
 * not name where they are (a bad value), for text shown without a line (the App's reading of the policy).
 */
export function issueMessages(
  issues: readonly z.core.$ZodIssue[],
  data: unknown,
  schema: z.ZodType,
  withPlace = false,
): Array<{ path: PropertyKey[]; message: string; unknownKey: boolean }> {
  return issues.flatMap((issue) => {
    const paths = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [[...issue.path]];
    return paths.map((path) => {
      const message = issueMessage(issue, data, path, schema);
      const placeless = issue.code === "invalid_value" || issue.code === "invalid_format";
      return {
        path,
        message: withPlace && placeless && path.length > 0 ? `${where(path)}: ${message}` : message,
        unknownKey: issue.code === "unrecognized_keys",
      };
    });
  });
}
