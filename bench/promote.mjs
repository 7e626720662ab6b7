#!/usr/bin/env node
// Launcher for the promotion benchmark: bundles bench/promote.ts (the driver) and bench/promote-child.ts
// (the flibs side, which loads only the promotion path) with esbuild into a temp folder and runs the
// driver, so the bench needs no prior `npm run build`.
// Usage: node bench/promote.mjs [--rss]   (npm run bench:promote, npm run bench:promote:rss)
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = mkdtempSync(join(tmpdir(), "flibs-bench-"));
try {
  await build({
    entryPoints: { "promote-bench": join(here, "promote.ts"), "promote-child": join(here, "promote-child.ts") },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    outdir: out,
    outExtension: { ".js": ".mjs" },
    logLevel: "warning",
  });
  const r = spawnSync(process.execPath, [join(out, "promote-bench.mjs"), ...process.argv.slice(2)], {
    stdio: "inherit",
    cwd: join(here, ".."),
    env: { ...process.env, FLIBS_BENCH_CHILD: join(out, "promote-child.mjs") },
  });
  process.exitCode = r.status ?? 1;
} finally {
  rmSync(out, { recursive: true, force: true });
}
