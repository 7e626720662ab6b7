// Bundles the Action into one committed file, action/dist/index.js (run with `npm run build:action`).
// ESM bundles need a real `require` for the CommonJS parts of dependencies (yaml reads `process` through it).
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));

export function options(outfile = join(here, "dist", "index.js")) {
  return {
    absWorkingDir: join(here, ".."),
    entryPoints: [join(here, "src", "main.ts")],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    legalComments: "none",
    logLevel: "warning",
    banner: {
      js: "import { createRequire as __flibsCreateRequire } from 'module'; const require = __flibsCreateRequire(import.meta.url);",
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await build(options(process.argv[2]));
}
