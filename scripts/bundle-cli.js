#!/usr/bin/env node
// Bundles the `flibs` CLI's fast path (main, command definitions, review, the pure core, and the small
// libraries they use; also promote/inspect with the registry client) into dist/flibs-cli/, so `flibs review`
// and `flibs promote` load a few files instead of dozens or hundreds of
// modules: Node's ESM loader, not the review, dominated its start-up time. Everything else (adapters,
// other commands' implementations, Probot, undici, ...) stays an import of the tsc output in dist/, loaded
// only when a command needs it. Runs after `tsc -p tsconfig.build.json` (see `npm run build`).
import { build } from "esbuild";
import { existsSync, renameSync, rmSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const finalDir = join(dist, "flibs-cli");
// Built beside the final folder and swapped in, so a concurrent `flibs` run never sees half a bundle.
const outdir = join(dist, `flibs-cli.tmp-${process.pid}`);
const entry = join(dist, "cli", "main.js");

/** dist/ files bundled: pure code without file reads relative to its own location. */
const INLINE = [
  "cli/main.js",
  "cli/io.js",
  "cli/version.js",
  "cli/commands/",
  "cli/review/",
  "cli/output/",
  "core/",
  "cli/promote-impl.js",
  "cli/inspect-impl.js",
  "cli/layout-source.js",
  "cli/progress/",
  "registry/",
].map((p) => join(dist, p));
/** npm packages bundled: pure JavaScript, no assets read from their own folder. */
const INLINE_PACKAGES = /^(commander|zod|yaml|dockerfile-ast|vscode-languageserver-types|vscode-languageserver-textdocument)(\/|$)/;

if (!existsSync(entry)) {
  console.error("bundle-cli: dist/cli/main.js is missing; run tsc -p tsconfig.build.json first");
  process.exit(1);
}
rmSync(outdir, { recursive: true, force: true });

const external = {
  name: "flibs-external",
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const file = resolve(args.resolveDir, args.path);
      if (!file.startsWith(dist + sep) || INLINE.some((p) => (p.endsWith(".js") ? file === p : file.startsWith(p)))) return undefined;
      return { path: relative(outdir, file).split(sep).join("/"), external: true };
    });
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("node:") || INLINE_PACKAGES.test(args.path) ? undefined : { path: args.path, external: true },
    );
  },
};

await build({
  entryPoints: { main: entry },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  chunkNames: "[name]-[hash]",
  plugins: [external],
  // CommonJS packages (dockerfile-ast) call require() for Node built-ins.
  banner: { js: "import { createRequire as __flibsRequire } from 'node:module'; const require = __flibsRequire(import.meta.url);" },
  minify: true,
  logLevel: "warning",
});

const old = join(dist, `flibs-cli.old-${process.pid}`);
try {
  if (existsSync(finalDir)) renameSync(finalDir, old);
} catch {
  // another build moved it first
}
try {
  renameSync(outdir, finalDir);
} catch {
  // another build put its bundle (of the same sources) in place first
  rmSync(outdir, { recursive: true, force: true });
}
rmSync(old, { recursive: true, force: true });
