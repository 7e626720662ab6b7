#!/usr/bin/env node
// Launcher for the gallery (npm run gallery): bundles gallery/main.ts with esbuild into node_modules/.cache (so
// its packages resolve from node_modules) and runs it. Usage: node gallery/run.mjs [OUT_DIR]  (default gallery-out)
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
mkdirSync(join(root, "node_modules", ".cache"), { recursive: true });
const out = mkdtempSync(join(root, "node_modules", ".cache", "flibs-gallery-"));
try {
  const outfile = join(out, "gallery.mjs");
  await build({
    entryPoints: [join(here, "main.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    outfile,
    logLevel: "warning",
  });
  const r = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { cwd: root, stdio: "inherit" });
  process.exitCode = r.status ?? 1;
} finally {
  rmSync(out, { recursive: true, force: true });
}
