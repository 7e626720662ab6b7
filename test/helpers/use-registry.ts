/**
 * A real loopback registry for a whole suite (Debian's docker-registry, test/helpers/registry.ts): started before
 * its tests, stopped after them. Its fields (`host`, `url`) are read inside hooks and tests. Kept apart from
 * registry.ts, which the benchmarks import outside vitest.
 */
import { afterAll, beforeAll } from "vitest";
import { startRegistry, type StartRegistryOptions, type TestRegistry } from "./registry.js";

export function useRegistry(options: StartRegistryOptions = {}): TestRegistry {
  let current: TestRegistry | undefined;
  beforeAll(async () => {
    current = await startRegistry(options);
  }, 60_000);
  afterAll(async () => {
    await current?.stop();
    current = undefined;
  });
  return new Proxy({} as TestRegistry, {
    get(_target, key) {
      if (!current) throw new Error("useRegistry: the registry runs only while the suite's tests do");
      const v = Reflect.get(current, key, current) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(current) : v;
    },
  });
}
