/**
 * `${{ }}` evaluated with GitHub's own `@actions/expressions` (lexer, parser, evaluator, functions: fromJSON,
 * toJSON, format, contains, startsWith, endsWith, join), plus what a runner adds to it:
 * - the status functions `success()`, `failure()`, `cancelled()`, `always()`, answered by the caller (they depend
 *   on where the expression is evaluated: a job's `if` looks at its needs, a step's at the job's steps);
 * - (an `if:` without a status function is `success() && (<if>)`: the workflow parser already writes it so,
 *   https://docs.github.com/en/actions/reference/workflows-and-actions/expressions#status-check-functions);
 * - every `''` in a string literal is one `'`: GitHub's runner unescapes them all, while the library's lexer
 *   (0.3.61, `value.replace("''", "'")`) only unescapes the first, so its string tokens are re-read from their lexeme.
 */
import { data, Evaluator, Lexer, Parser, type Expr } from "@actions/expressions";
import { TokenType, type Token } from "@actions/expressions/lexer";
import type { FunctionDefinition } from "@actions/expressions/funcs/info";
import { isBasicExpression, isMapping, isSequence, type TemplateToken } from "./parser.js";

/** Contexts by name (`github`, `inputs`, `matrix`, ...), as plain JSON values. */
export type Contexts = Record<string, unknown>;

/** What the status functions answer where the expression is evaluated. */
export interface StatusFunctions {
  success(): boolean;
  failure(): boolean;
  cancelled(): boolean;
}

const STATUS_FUNCTIONS = ["success", "failure", "cancelled", "always"] as const;
const CONTEXT_NAMES = ["github", "env", "vars", "job", "jobs", "steps", "runner", "secrets", "strategy", "matrix", "needs", "inputs"];

export class ExpressionError extends Error {}

/** Lexes like the library, but unescapes every `''` of a string literal as GitHub does. */
export function lex(expression: string): Token[] {
  const tokens = new Lexer(expression).lex().tokens;
  for (const t of tokens) {
    if (t.type === TokenType.STRING) t.value = t.lexeme.slice(1, -1).replaceAll("''", "'");
  }
  return tokens;
}

function parse(expression: string): Expr {
  const statusInfo = STATUS_FUNCTIONS.map((name) => ({ name, minArgs: 0, maxArgs: 0 }));
  const hashFiles = { name: "hashFiles", minArgs: 1, maxArgs: 255 };
  return new Parser(lex(expression), CONTEXT_NAMES, [...statusInfo, hashFiles]).parse();
}

export function toData(value: unknown): data.ExpressionData {
  return JSON.parse(JSON.stringify(value ?? null), data.reviver) as data.ExpressionData;
}

export function fromData(d: data.ExpressionData): unknown {
  return JSON.parse(JSON.stringify(d, data.replacer)) as unknown;
}

function functions(status?: StatusFunctions): Map<string, FunctionDefinition> {
  const fn = (name: string, call: () => boolean): [string, FunctionDefinition] => [
    name,
    { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(call()) },
  ];
  const unavailable = (name: string) => () => {
    throw new ExpressionError(`${name}() is not available here`);
  };
  return new Map([
    fn("success", status ? () => status.success() : unavailable("success")),
    fn("failure", status ? () => status.failure() : unavailable("failure")),
    fn("cancelled", status ? () => status.cancelled() : unavailable("cancelled")),
    fn("always", () => true),
  ]);
}

/** Evaluates one expression (without `${{ }}`) to a JSON value. */
export function evaluate(expression: string, contexts: Contexts, status?: StatusFunctions): unknown {
  const dict = new data.Dictionary(...CONTEXT_NAMES.map((key) => ({ key, value: toData(contexts[key] ?? null) })));
  try {
    return fromData(new Evaluator(parse(expression), dict, functions(status)).evaluate());
  } catch (e) {
    throw new ExpressionError(`cannot evaluate \${{ ${expression} }}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function truthy(v: unknown): boolean {
  return !(v === null || v === undefined || v === false || v === 0 || v === "" || Number.isNaN(v));
}

/** A value as a runner writes it into a string (env, inputs, names): JSON for objects, GitHub's coercion otherwise. */
export function asString(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "object") return JSON.stringify(v, null, 2);
  return toData(v).coerceString();
}

/**
 * A template token (what the workflow parser gives for a value) evaluated: literals as they are, every expression
 * (a whole value, or a string the parser turned into `format(...)`) with GitHub's evaluator, mappings and sequences
 * recursively.
 */
export function evaluateToken(token: TemplateToken | undefined, contexts: Contexts, status?: StatusFunctions): unknown {
  if (token === undefined) return undefined;
  if (isBasicExpression(token)) return evaluate(token.expression, contexts, status);
  if (isMapping(token)) {
    const out: Record<string, unknown> = {};
    for (const pair of token) out[asString(evaluateToken(pair.key, contexts, status))] = evaluateToken(pair.value, contexts, status);
    return out;
  }
  if (isSequence(token)) {
    const out: unknown[] = [];
    for (let i = 0; i < token.count; i++) out.push(evaluateToken(token.get(i), contexts, status));
    return out;
  }
  if (token.isExpression) throw new ExpressionError(`unsupported template expression ${String(token)}`);
  return (token as unknown as { value: unknown }).value ?? null;
}

/** A mapping token evaluated to strings (env, with:, outputs). */
export function evaluateStringMap(token: TemplateToken | undefined, contexts: Contexts, status?: StatusFunctions): Record<string, string> {
  const v = evaluateToken(token, contexts, status);
  if (v === undefined || v === null) return {};
  if (typeof v !== "object" || Array.isArray(v)) throw new ExpressionError(`expected a mapping, got ${JSON.stringify(v)}`);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asString(x)]));
}
