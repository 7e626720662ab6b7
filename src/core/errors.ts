/**
 * Errors flibs reports to a user are values with a stable code and a message written for that user.
 * Front ends print `message` (never a stack) and map `code` to an exit status or a check conclusion.
 */
export type FlibsErrorCode =
  | "usage"
  | "io"
  | "config"
  | "policy"
  | "registry"
  | "auth"
  | "not-found"
  | "digest-mismatch"
  | "refused"
  | "build"
  | "github"
  | "internal";

/** Marks a FlibsError across copies of this module (the CLI bundle inlines the core; adapters import dist/). */
const BRAND = Symbol.for("flibs.error");

export class FlibsError extends Error {
  readonly [BRAND] = true;
  readonly code: FlibsErrorCode;
  readonly detail: unknown;
  /** The HTTP status a service answered, when the error is its answer (GitHub's 404, a registry's 401). */
  readonly status?: number;
  constructor(code: FlibsErrorCode, message: string, options: { cause?: unknown; detail?: unknown; status?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "FlibsError";
    this.code = code;
    this.detail = options.detail;
    if (options.status !== undefined) this.status = options.status;
  }
}

export function isFlibsError(e: unknown): e is FlibsError {
  return e instanceof FlibsError || (e instanceof Error && (e as unknown as Record<symbol, unknown>)[BRAND] === true);
}

/** A one-line, user-facing description of any thrown value. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message.split("\n")[0] ?? e.name;
  return String(e);
}

/** A typed result for the core's decisions, so callers handle failure without try/catch. */
export type Result<T, E = FlibsError> = { ok: true; value: T } | { ok: false; error: E };
export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });
