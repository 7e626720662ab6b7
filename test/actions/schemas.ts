/**
 * GitHub's own schemas for what the fake produces: the webhook payload schemas of `@octokit/webhooks-schemas`
 * and the response schemas of the REST description in `@octokit/openapi`, compiled with Ajv.
 */
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

const require = createRequire(import.meta.url);
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

let webhooks: Ajv | undefined;
let rest: Ajv | undefined;
const cache = new Map<string, ValidateFunction>();

function errorsOf(v: ValidateFunction): string {
  return (v.errors ?? [])
    .slice(0, 10)
    .map((e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`)
    .join("\n");
}

/** Errors of a payload against `<event>$<action>` of the webhook schemas ("" when valid). */
export function webhookErrors(event: string, action: string, payload: unknown): string {
  if (!webhooks) {
    webhooks = new Ajv({ strict: false, allErrors: true, logger: false });
    addFormats(webhooks);
    webhooks.addSchema(require("@octokit/webhooks-schemas/schema.json") as object, "webhooks");
  }
  const key = `webhooks#/definitions/${event}$${action}`;
  let v = cache.get(key);
  if (!v) {
    v = webhooks.getSchema(key);
    if (!v) throw new Error(`no webhook schema ${event}$${action}`);
    cache.set(key, v);
  }
  return v(payload) ? "" : errorsOf(v);
}

function nullable(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(nullable);
  if (node === null || typeof node !== "object") return;
  const o = node as Record<string, unknown>;
  for (const v of Object.values(o)) nullable(v);
  if (o.nullable === true && o.type === undefined) {
    const inner = { ...o };
    delete inner.nullable;
    for (const k of Object.keys(o)) delete o[k];
    o.anyOf = [inner, { type: "null" }];
  }
}

/** Errors of a REST body against a component schema of api.github.com's description (`workflow-run`, `job`). */
export function restErrors(schema: string, body: unknown): string {
  if (!rest) {
    rest = new Ajv({ strict: false, allErrors: true, logger: false });
    addFormats(rest);
    const spec = require("@octokit/openapi/generated/api.github.com.json") as { components: object };
    const components = structuredClone(spec.components);
    nullable(components);
    rest.addSchema({ $id: "gh", components }, undefined, undefined, false);
  }
  const key = `gh#/components/schemas/${schema}`;
  let v = cache.get(key);
  if (!v) {
    v = rest.getSchema(key);
    if (!v) throw new Error(`no REST schema ${schema}`);
    cache.set(key, v);
  }
  return v(body) ? "" : errorsOf(v);
}
