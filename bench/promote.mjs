#!/usr/bin/env node
// Launcher for the promotion benchmark: bundles bench/promote.ts (and the sources it imports) with
// esbuild into a temp file and runs it, so the bench needs no prior `npm run build`.
// Usage: node bench/promote.mjs [--rss]   (npm run bench:promote, npm run bench:promote:rss)
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = mkdtempSync(join(tmpdir(), "flibs-bench-"));
const outfile = join(out, "promote-bench.mjs");
try {
  await build({
    entryPoints: [join(here, "promote.ts")],
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
