import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const FIXTURES = join(ROOT, "test", "fixtures", "review");

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `node bin/flibs.js ...args` as a user would (dist/ is built by test/helpers/build-dist.ts). */
export function flibs(args: string[], cwd = ROOT): Run {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [join(ROOT, "bin", "flibs.js"), ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}
