#!/usr/bin/env node
// Launcher for the webhook benchmark: bundles bench/webhooks.ts (the driver and fake GitHub) and
// bench/webhooks-app.ts (the App behind Probot's server) with esbuild into a temp dir and runs the driver,
// so the bench needs no prior `npm run build`.
// Usage: npm run bench:webhooks [-- --soak] (or npm run soak:webhooks)   Env: BENCH_SECONDS (30), BENCH_RATE (100/s), BENCH_INSTALLATIONS (1000), BENCH_THROTTLE (on|off), LOG_LEVEL (warn)
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
// Inside node_modules, so the bundle's external packages (probot, pino) resolve from the project.
const cache = join(here, "..", "node_modules", ".cache");
mkdirSync(cache, { recursive: true });
const out = mkdtempSync(join(cache, "flibs-bench-webhooks-"));
try {
  await build({
    entryPoints: { webhooks: join(here, "webhooks.ts"), "webhooks-app": join(here, "webhooks-app.ts") },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    outdir: out,
    outExtension: { ".js": ".mjs" },
    logLevel: "warning",
  });
  const r = spawnSync(process.execPath, [join(out, "webhooks.mjs"), ...process.argv.slice(2)], {
    stdio: "inherit",
    cwd: join(here, ".."),
    env: { ...process.env, BENCH_APP_ENTRY: join(out, "webhooks-app.mjs") },
  });
  process.exitCode = r.status ?? 1;
} finally {
  rmSync(out, { recursive: true, force: true });
}
