#!/usr/bin/env node
import { existsSync } from "node:fs";

// dist/flibs-cli is the bundled fast path (scripts/bundle-cli.js); dist/cli the plain tsc output.
const bundled = new URL("../dist/flibs-cli/main.js", import.meta.url);
const { main } = await import(existsSync(bundled) ? bundled.href : "../dist/cli/main.js");

process.exitCode = await main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  cwd: process.cwd(),
  env: process.env,
  // Progress is redrawn in place only on a terminal.
  isTTY: process.stderr.isTTY === true,
  columns: process.stderr.columns,
  stdoutIsTTY: process.stdout.isTTY === true,
});
