/**
 * Checks a request against GitHub's OpenAPI description (`@octokit/openapi`): the method and path must
 * name an operation, query parameters must be ones the operation takes, and a JSON body must validate
 * against the operation's requestBody schema. The spec (13 MB) is parsed once per test process, on first
 * use; each operation's body validator is compiled once and cached.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

export type SpecName = "api.github.com" | "ghec" | "ghes-3.17" | "ghes-3.18" | "ghes-3.19";

export interface MatchedOperation {
  /** `POST /repos/{owner}/{repo}/check-runs`: the method and the spec's path template. */
  route: string;
  operationId: string;
  /** Path parameters, decoded. */
  params: Record<string, string>;
}

export type RequestCheck = ({ ok: true } & MatchedOperation) | { ok: false; error: string };

interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { $ref?: string; required?: boolean; content?: Record<string, { schema?: object }> };
}
interface Parameter {
  $ref?: string;
  name?: string;
  in?: string;
}
interface Spec {
  paths: Record<string, Record<string, Operation | Parameter[]>>;
  components: { parameters: Record<string, Parameter>; requestBodies?: Record<string, Operation["requestBody"]> };
}
interface Template {
  path: string;
  regex: RegExp;
  names: string[];
  literal: number;
  op: Operation;
  pathParams: Parameter[] | undefined;
}

const METHODS = ["get", "post", "put", "patch", "delete", "head"] as const;
const SPEC_ID = "gh";
const SLASHED_PARAMS = new Set(["path", "ref", "branch", "basehead"]);

class OpenApiIndex {
  private readonly byMethod = new Map<string, Template[]>();
  private readonly validators = new Map<string, ValidateFunction | null>();
  private readonly ajv: Ajv;

  constructor(private readonly spec: Spec) {
    for (const [path, item] of Object.entries(spec.paths)) {
      for (const method of METHODS) {
        const op = item[method] as Operation | undefined;
        if (!op) continue;
        const names: string[] = [];
        const source = path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{([^}]+)\}/g, (_m, name: string) => {
          names.push(name);
          return "([^/]+)";
        });
        const list = this.byMethod.get(method.toUpperCase()) ?? [];
        list.push({
          path,
          regex: new RegExp(`^${source}$`),
          names,
          literal: path.replace(/\{[^}]+\}/g, "").length,
          op,
          pathParams: item.parameters as Parameter[] | undefined,
        });
        this.byMethod.set(method.toUpperCase(), list);
      }
    }
    // The most literal template wins: `/repos/{owner}/{repo}/check-runs/{id}` before `/repos/{owner}/{repo}/{x}/{y}`.
    for (const list of this.byMethod.values()) list.sort((a, b) => b.literal - a.literal);
    const AjvFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
    this.ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateSchema: false, validateFormats: true });
    AjvFormats(this.ajv);
    this.ajv.addSchema({ $id: SPEC_ID, components: spec.components }, undefined, undefined, false);
  }

  hasRoute(method: string, template: string): boolean {
    return (this.byMethod.get(method.toUpperCase()) ?? []).some((t) => t.path === template);
  }

  match(method: string, path: string): { template: Template; params: Record<string, string> } | undefined {
    const list = this.byMethod.get(method.toUpperCase()) ?? [];
    for (const t of list) {
      const m = t.regex.exec(path);
      if (m) return { template: t, params: Object.fromEntries(t.names.map((n, i) => [n, decode(m[i + 1] ?? "")])) };
    }
    // A last parameter that may hold slashes (a file path, a git ref) when sent unencoded.
    for (const t of list) {
      if (!SLASHED_PARAMS.has(t.names[t.names.length - 1] ?? "") || !t.path.endsWith("}")) continue;
      const loose = new RegExp(`${t.regex.source.slice(0, -"([^/]+)$".length)}(.+)$`);
      const m = loose.exec(path);
      if (m) return { template: t, params: Object.fromEntries(t.names.map((n, i) => [n, decode(m[i + 1] ?? "")])) };
    }
    return undefined;
  }

  check(method: string, path: string, query: URLSearchParams, body: unknown): RequestCheck {
    const upper = method.toUpperCase();
    const found = this.match(upper, path);
    if (!found) {
      const other = METHODS.map((m) => m.toUpperCase()).filter((m) => m !== upper && this.match(m, path));
      return {
        ok: false,
        error: `${upper} ${path} is not an operation of GitHub's REST API` + (other.length ? ` (that path takes ${other.join(", ")})` : ""),
      };
    }
    const { template, params } = found;
    const route = `${upper} ${template.path}`;
    const allowed = new Set(
      [...(template.pathParams ?? []), ...(template.op.parameters ?? [])]
        .map((p) => this.parameter(p))
        .filter((p) => p.in === "query")
        .map((p) => p.name),
    );
    const unknown = [...new Set(query.keys())].filter((k) => !allowed.has(k));
    if (unknown.length > 0) {
      return {
        ok: false,
        error: `${route}: unknown query parameter(s) ${unknown.join(", ")} (allowed: ${[...allowed].join(", ") || "none"})`,
      };
    }
    const validate = this.bodyValidator(route, template.op);
    const required = this.requestBody(template.op)?.required === true;
    if (body === undefined) {
      if (validate && required) return { ok: false, error: `${route}: the request body is required` };
    } else if (validate && !validate(body)) {
      const errors = (validate.errors ?? [])
        .slice(0, 8)
        .map((e) => `  body${e.instancePath || ""} ${e.message ?? "is invalid"}${paramsText(e.params)}`);
      return { ok: false, error: `${route}: the body does not match the spec:\n${errors.join("\n")}\n  body: ${short(body)}` };
    }
    return { ok: true, route, operationId: template.op.operationId, params };
  }

  private parameter(p: Parameter): Parameter {
    if (!p.$ref) return p;
    return this.spec.components.parameters[p.$ref.split("/").pop() ?? ""] ?? p;
  }

  private requestBody(op: Operation): Operation["requestBody"] {
    const rb = op.requestBody;
    if (rb?.$ref) return this.spec.components.requestBodies?.[rb.$ref.split("/").pop() ?? ""];
    return rb;
  }

  private bodyValidator(route: string, op: Operation): ValidateFunction | null {
    const cached = this.validators.get(route);
    if (cached !== undefined) return cached;
    const schema = this.requestBody(op)?.content?.["application/json"]?.schema;
    const validate = schema ? this.ajv.compile(openApiToJsonSchema(schema)) : null;
    this.validators.set(route, validate);
    return validate;
  }
}

/** OpenAPI 3.0's `nullable` beside no `type`, and its local refs, as plain JSON Schema for Ajv. */
function openApiToJsonSchema(schema: object): object {
  const json = JSON.stringify(schema).replaceAll('"$ref":"#/components/', `"$ref":"${SPEC_ID}#/components/`);
  return JSON.parse(json) as object;
}

function fixNullable(node: unknown): void {
  if (Array.isArray(node)) {
    for (const n of node) fixNullable(n);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const o = node as Record<string, unknown>;
  for (const v of Object.values(o)) fixNullable(v);
  if (o.nullable === true && o.type === undefined) {
    delete o.nullable;
    const inner = { ...o };
    for (const k of Object.keys(o)) delete o[k];
    o.anyOf = [inner, { type: "null" }];
  }
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function paramsText(params: Record<string, unknown>): string {
  const v = params.additionalProperty ?? params.allowedValues ?? params.missingProperty;
  return v === undefined ? "" : ` (${Array.isArray(v) ? v.join(", ") : String(v)})`;
}

function short(v: unknown): string {
  const s = JSON.stringify(v);
  return s.length > 400 ? `${s.slice(0, 400)}…` : s;
}

const indexes = new Map<SpecName, OpenApiIndex>();

function specFile(name: SpecName): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("@octokit/openapi/package.json")), "generated", `${name}.json`);
}

/** The parsed, indexed spec; loaded on first use and kept for the test process. */
export function openApi(name: SpecName = "api.github.com"): OpenApiIndex {
  let index = indexes.get(name);
  if (!index) {
    const spec = JSON.parse(readFileSync(specFile(name), "utf8")) as Spec;
    fixNullable(spec.components);
    fixNullable(spec.paths);
    index = new OpenApiIndex(spec);
    indexes.set(name, index);
  }
  return index;
}

/**
 * Checks one request. `url` is a full URL; for GitHub Enterprise Server the `/api/v3` prefix is dropped.
 * `body` is the parsed JSON body, or undefined when there was none.
 */
export function checkRequest(method: string, url: string, body: unknown, spec: SpecName = "api.github.com"): RequestCheck {
  const u = new URL(url);
  const path = u.pathname.replace(/^\/api\/v3(?=\/)/, "");
  return openApi(spec).check(method, path, u.searchParams, body);
}

export type { OpenApiIndex };
