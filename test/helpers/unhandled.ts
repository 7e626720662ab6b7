/**
 * Fails a test (or, with `scope: "file"`, the file) in which a promise was rejected and nobody handled it, or (with
 * `uncaught`) an exception escaped: work that got away from the code's own error handling. `seen` lists what came,
 * in order, for a suite that charges it to the cases running at the time.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";

export function failOnUnhandledRejections(options: { scope?: "test" | "file"; uncaught?: boolean } = {}): { readonly seen: unknown[] } {
  const seen: unknown[] = [];
  const on = (e: unknown) => seen.push(e);
  const events = options.uncaught ? (["unhandledRejection", "uncaughtException"] as const) : (["unhandledRejection"] as const);
  const [before, after] = options.scope === "file" ? [beforeAll, afterAll] : [beforeEach, afterEach];
  before(() => {
    seen.length = 0;
    for (const e of events) process.on(e, on);
  });
  after(() => {
    for (const e of events) process.off(e, on);
    if (seen.length)
      throw new Error(
        `${seen.length} unhandled rejection(s) or exception(s):\n${seen.map((e) => (e instanceof Error ? (e.stack ?? e.message) : String(e))).join("\n")}`,
      );
  });
  return { seen };
}
