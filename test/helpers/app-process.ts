/**
 * The App as a process: `npm start` / `npm run dev` spawned on a free loopback port, waited for, and stopped
 * (its whole process group, by id) when the test ends.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The project's root: the directory above this file holding flibs' package.json (also from a bundle of it, as the benches run). */
export const ROOT = projectRoot(dirname(fileURLToPath(import.meta.url)));

function projectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "flibs") return `${dir}/`;
    if (dirname(dir) === dir) throw new Error(`no flibs package.json above ${from}`);
  }
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface AppProcess {
  proc: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  stop(): Promise<void>;
}

/**
 * Spawns a command from the repository root in its own process group, with an environment that cannot
 * reach a real App (no credentials, no smee channel creation) unless `env` says otherwise.
 */
export function spawnApp(command: string, args: string[], env: Record<string, string | undefined> = {}): AppProcess {
  if (!existsSync(`${ROOT}/dist/app/index.js`)) {
    throw new Error("dist/app/index.js is missing: run `npm run build` (npm ci runs it through `prepare`)");
  }
  const fullEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries({
    ...process.env,
    APP_ID: "",
    PRIVATE_KEY: "",
    PRIVATE_KEY_PATH: "",
    WEBHOOK_PROXY_URL: "",
    NO_SMEE_SETUP: "true",
    NODE_ENV: "development",
    LOG_FORMAT: "json",
    ...env,
  })) {
    if (v !== undefined) fullEnv[k] = v;
  }
  const proc = spawn(command, args, { cwd: ROOT, env: fullEnv, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) => proc.on("exit", (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    proc,
    output: () => out,
    exited,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      try {
        if (proc.pid) process.kill(-proc.pid, "SIGTERM");
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          if (proc.pid) process.kill(-proc.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }, 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `url` until it answers (any status), failing with the process output after `timeoutMs`. */
export async function waitForHttp(url: string, app: AppProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (app.proc.exitCode !== null) throw new Error(`the app exited (${app.proc.exitCode}) before serving ${url}:\n${app.output()}`);
    try {
      await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`nothing answered ${url} within ${timeoutMs} ms:\n${app.output()}`);
}
