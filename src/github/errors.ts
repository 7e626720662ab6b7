import { describeError, FlibsError, isFlibsError } from "../core/errors.js";

/** The HTTP status of an Octokit error (or a FlibsError made from one); undefined for anything else. */
export function statusOf(e: unknown): number | undefined {
  const status = (e as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

/**
 * An Octokit error as flibs reports it: a FlibsError (`github`, or `not-found` for a 404) with GitHub's status
 * typed, and a message that says what flibs was doing and what GitHub answered.
 */
export function githubError(e: unknown, doing: string): FlibsError {
  if (isFlibsError(e)) return e;
  const status = statusOf(e);
  const message = (e instanceof Error ? e.message : String(e)).split("\n")[0]?.replace(/^\[@probot\/octokit-plugin-config\]\s*/, "") ?? "";
  const answered = status ? `GitHub answered ${status}${message ? ` (${message})` : ""}` : describeError(e);
  return new FlibsError(status === 404 ? "not-found" : "github", `${doing}: ${answered}`, {
    cause: e,
    ...(status !== undefined ? { status } : {}),
  });
}
