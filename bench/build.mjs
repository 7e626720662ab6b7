#!/usr/bin/env node
// Launcher for the build benchmark: bundles bench/build.ts (the harness) and the flibs CLI it times (a child
// process running src/cli/main.ts) with esbuild into a temp dir and runs the harness, so the bench needs no
// prior `npm run build`.
// The CLI child is bundled the way the shipped CLI is (scripts/bundle-cli.js): its pure-JavaScript packages
// inlined, minified, split so a command's code loads only when it runs. Leaving the packages as node_modules
// imports and every command in one file made the child pay ~0.2 s CPU of module loading a user's `flibs`
// does not pay, which the ratio then blamed on the build.
// Usage: node bench/build.mjs   (npm run bench:build)
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
// Inside the repo (node_modules/.cache), so the bundle's external packages resolve from node_modules.
mkdirSync(join(root, "node_modules", ".cache"), { recursive: true });
const out = mkdtempSync(join(root, "node_modules", ".cache", "flibs-bench-build-"));
const outfile = join(out, "build-bench.mjs");
const cliFile = join(out, "cli", "flibs-cli.mjs");
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
  // The entry a user's `flibs` runs (bin/flibs.js), pointing at the sources.
  const entry = join(out, "flibs-cli-entry.ts");
  writeFileSync(
    entry,
    [
      `import { main } from ${JSON.stringify(join(root, "src", "cli", "main.ts"))};`,
      "if (process.env.FLIBS_TRACE) {",
      "  process.stderr.write(`[flibs] node loaded the CLI at ${Math.round(performance.now())} ms\\n`);",
      "  process.on('exit', () => { const u = process.cpuUsage(); process.stderr.write(`[flibs] node exits at ${Math.round(performance.now())} ms, ${Math.round((u.user + u.system) / 1000)} ms CPU of its own\\n`); });",
      "}",
      "process.exitCode = await main(process.argv.slice(2), {",
      "  stdout: (s: string) => process.stdout.write(s),",
      "  stderr: (s: string) => process.stderr.write(s),",
      "  cwd: process.cwd(),",
      "  env: process.env,",
      "});",
    ].join("\n"),
  );
  await build({
    entryPoints: { "flibs-cli": entry },
    outdir: join(out, "cli"),
    bundle: true,
    // Like the shipped bundle: each command's implementation is a chunk loaded when that command runs.
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outExtension: { ".js": ".mjs" },
    plugins: [
      {
        name: "flibs-external-packages",
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith("node:") || INLINE_PACKAGES.test(args.path) ? undefined : { path: args.path, external: true },
          );
        },
      },
    ],
    // CommonJS packages (dockerfile-ast) call require() for Node built-ins.
    banner: { js: "import { createRequire as __flibsRequire } from 'node:module'; const require = __flibsRequire(import.meta.url);" },
    // Unminified when profiling (BENCH_CHILD_NODE_ARGS), so the profile names functions.
    minify: !process.env.BENCH_CHILD_NODE_ARGS,
    logLevel: "warning",
  });
  const r = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], {
    stdio: "inherit",
    cwd: root,
    env: { ...process.env, FLIBS_BENCH_CLI: cliFile },
  });
  process.exitCode = r.status ?? 1;
} finally {
  rmSync(out, { recursive: true, force: true });
}
