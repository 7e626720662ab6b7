#!/usr/bin/env node
// Launcher for the build benchmark: bundles bench/build.ts (the harness) and the flibs CLI it times (a child
// process running src/cli/main.ts) with esbuild into a temp dir and runs the harness, so the bench needs no
// prior `npm run build`.
// The CLI child is bundled the way the shipped CLI is (scripts/bundle-cli.js): its pure-JavaScript packages
// inlined, minified, one file. Leaving them as node_modules imports made the child pay ~0.2 s of module
// resolution a user's `flibs` does not pay, which the ratio then blamed on the build.
// Usage: node bench/build.mjs   (npm run bench:build)
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
// Inside the repo (node_modules/.cache), so the bundle's external packages resolve from node_modules.
mkdirSync(join(root, "node_modules", ".cache"), { recursive: true });
const out = mkdtempSync(join(root, "node_modules", ".cache", "flibs-bench-build-"));
const outfile = join(out, "build-bench.mjs");
const cliFile = join(out, "flibs-cli.mjs");
/** The npm packages scripts/bundle-cli.js inlines into the shipped CLI. */
const INLINE_PACKAGES = /^(commander|zod|yaml|dockerfile-ast|vscode-languageserver-types|vscode-languageserver-textdocument)(\/|$)/;
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
  await build({
    stdin: {
      contents: [
        'import { main } from "./src/cli/main.ts";',
        "process.exitCode = await main(process.argv.slice(2), {",
        "  stdout: (s) => process.stdout.write(s),",
        "  stderr: (s) => process.stderr.write(s),",
        "  cwd: process.cwd(),",
        "  env: process.env,",
        "});",
      ].join("\n"),
      resolveDir: root,
      sourcefile: "flibs-cli-entry.ts",
      loader: "ts",
    },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: cliFile,
    plugins: [
      {
        name: "flibs-external-packages",
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith("node:") || INLINE_PACKAGES.test(args.path) ? undefined : { path: args.path, external: true }));
        },
      },
    ],
    // CommonJS packages (dockerfile-ast) call require() for Node built-ins.
    banner: { js: "import { createRequire as __flibsRequire } from 'node:module'; const require = __flibsRequire(import.meta.url);" },
    minify: true,
    logLevel: "warning",
  });
  const r = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: "inherit", cwd: root, env: { ...process.env, FLIBS_BENCH_CLI: cliFile } });
  process.exitCode = r.status ?? 1;
} finally {
  rmSync(out, { recursive: true, force: true });
}
