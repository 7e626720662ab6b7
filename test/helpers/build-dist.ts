import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * vitest globalSetup: builds dist/ once per run (tsc, then the bundled CLI), so the tests that spawn
 * `node bin/flibs.js` or the App's dist entry run what `npm run build` would produce from this tree.
 */
export default function buildDist(): void {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  try {
    execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: ROOT, stdio: "pipe" });
  } catch (e) {
    // tsc still emits when only types are wrong (`npm test` reports those in its typecheck step).
    const out = String((e as { stdout?: Buffer }).stdout ?? e);
    if (!existsSync(join(ROOT, "dist", "cli", "main.js"))) throw new Error(`build-dist: tsc produced no dist/:\n${out}`, { cause: e });
    console.warn(`build-dist: tsc reported errors; testing what it emitted:\n${out.split("\n").slice(0, 10).join("\n")}`);
  }
  execFileSync(process.execPath, [join(ROOT, "scripts", "bundle-cli.js")], { cwd: ROOT, stdio: "inherit" });
}
