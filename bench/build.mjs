#!/usr/bin/env node
// Launcher for the build benchmark: bundles bench/build.ts (and the sources it imports) with
// esbuild into a temp file and runs it, so the bench needs no prior `npm run build`.
// Usage: node bench/build.mjs   (npm run bench:build)
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
// Inside the repo (node_modules/.cache), so the bundle's external packages resolve from node_modules.
mkdirSync(join(here, "..", "node_modules", ".cache"), { recursive: true });
const out = mkdtempSync(join(here, "..", "node_modules", ".cache", "flibs-bench-build-"));
const outfile = join(out, "build-bench.mjs");
try {
  await build({
    entryPoints: [join(here, "build.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    outfile,
    logLevel: "warning",
  });
  const r = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: "inherit", cwd: join(here, "..") });
  process.exitCode = r.status ?? 1;
} finally {
  rmSync(out, { recursive: true, force: true });
}
