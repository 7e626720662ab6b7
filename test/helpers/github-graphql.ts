/**
 * GitHub's GraphQL API for the fake: a query is accepted only when it parses and validates against GitHub's
 * public schema (`@octokit/graphql-schema`) and its variables coerce to the declared types; it is then executed
 * against a root object the test (or the fake's default world) provides, so the answer has exactly the shape
 * GitHub gives for that selection.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import {
  buildSchema,
  execute,
  getOperationAST,
  getVariableValues,
  parse,
  validate,
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
} from "graphql";

let schema: GraphQLSchema | undefined;

/** GitHub's schema, built once per test process on first use. */
export function githubSchema(): GraphQLSchema {
  if (!schema) {
    // The package exports only its ESM entry (import condition); schema.graphql sits beside it.
    const dir = dirname(fileURLToPath(import.meta.resolve("@octokit/graphql-schema")));
    schema = buildSchema(readFileSync(join(dir, "schema.graphql"), "utf8"), { assumeValidSDL: true });
  }
  return schema;
}

export interface GraphqlRequest {
  query: string;
  variables: Record<string, unknown>;
  operationName?: string;
  document: DocumentNode;
}

export type GraphqlCheck = { ok: true; request: GraphqlRequest } | { ok: false; error: string };

export function checkGraphql(body: unknown): GraphqlCheck {
  const b = (body ?? {}) as { query?: unknown; variables?: unknown; operationName?: unknown };
  if (typeof b.query !== "string") return { ok: false, error: "POST /graphql without a query string" };
  let document: DocumentNode;
  try {
    document = parse(b.query);
  } catch (e) {
    return { ok: false, error: `GraphQL query does not parse: ${(e as Error).message}` };
  }
  const errors = validate(githubSchema(), document);
  if (errors.length)
    return { ok: false, error: `GraphQL query is not valid against GitHub's schema: ${errors.map((e) => e.message).join("; ")}` };
  const operationName = typeof b.operationName === "string" ? b.operationName : undefined;
  const op = getOperationAST(document, operationName);
  if (!op) return { ok: false, error: "GraphQL document has no (single) operation to run" };
  const variables = (b.variables ?? {}) as Record<string, unknown>;
  const coerced = getVariableValues(githubSchema(), op.variableDefinitions ?? [], variables);
  if (coerced.errors) return { ok: false, error: `GraphQL variables are invalid: ${coerced.errors.map((e) => e.message).join("; ")}` };
  return { ok: true, request: { query: b.query, variables, document, ...(operationName ? { operationName } : {}) } };
}

/** Errors a resolver throws with this class carry GitHub's `type` (e.g. NOT_FOUND) in the response. */
export class GitHubGraphqlError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** Runs a validated request against `root` and answers as GitHub does: `{ data, errors? }` with status 200. */
export async function executeGraphql(request: GraphqlRequest, root: object): Promise<{ data: unknown; errors?: unknown[] }> {
  const result = await execute({
    schema: githubSchema(),
    document: request.document,
    rootValue: root,
    variableValues: request.variables,
    ...(request.operationName ? { operationName: request.operationName } : {}),
  });
  const errors = result.errors?.map((e: GraphQLError) => ({
    ...(e.originalError instanceof GitHubGraphqlError ? { type: e.originalError.type } : {}),
    path: e.path,
    locations: e.locations,
    message: e.message,
  }));
  return { data: result.data ?? null, ...(errors?.length ? { errors } : {}) };
}

/** True when a GraphQL request body is a query (a read), not a mutation. */
export function isGraphqlQuery(body: unknown): boolean {
  const c = checkGraphql(body);
  return c.ok && getOperationAST(c.request.document, c.request.operationName)?.operation === "query";
}
