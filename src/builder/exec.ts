import { spawn } from "node:child_process";
import { access, constants } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { FlibsError } from "../core/errors.js";

export interface RunResult {
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Called with each chunk of output (build logs go to the job log as they come). */
  onOutput?: (chunk: string) => void;
}

/** Runs a tool without a shell; a non-zero exit is a `build` FlibsError naming the tool and its last output. */
export function run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  // FLIBS_TRACE=1: each tool call and its duration on stderr (where a build's time goes).
  const trace = process.env.FLIBS_TRACE ? (code: number | null) => process.stderr.write(`[flibs] ${Date.now() - started} ms exit ${code}: ${cmd} ${args.join(" ")}\n`) : undefined;
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    let child;
    try {
      child = spawn(cmd, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      reject(new FlibsError("build", `cannot run ${cmd}: ${String(e)}`));
      return;
    }
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      options.onOutput?.(d.toString());
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      options.onOutput?.(d.toString());
    });
    child.on("error", (e: NodeJS.ErrnoException) => {
      reject(new FlibsError("build", e.code === "ENOENT" ? `${cmd} is not installed` : `cannot run ${cmd}: ${e.message}`));
    });
    child.on("close", (code, signal) => {
      trace?.(code);
      if (code === 0) resolve({ stdout, stderr });
      else {
        const tail = (stderr.trim() || stdout.trim()).split("\n").slice(-5).join("\n");
        reject(new FlibsError("build", `${cmd} ${args[0] ?? ""} failed (${signal ?? `exit ${code}`}): ${tail}`, { detail: { stdout, stderr } }));
      }
    });
  });
}

/** Whether `cmd args` runs and exits 0. */
export async function works(cmd: string, args: readonly string[]): Promise<boolean> {
  try {
    await run(cmd, args);
    return true;
  } catch {
    return false;
  }
}

/** FLIBS_TRACE=1: how long a step of flibs' own (registry calls, package reads) took, on stderr like tool calls. */
export async function traced<T>(what: string, fn: () => Promise<T>): Promise<T> {
  if (!process.env.FLIBS_TRACE) return fn();
  const started = Date.now();
  try {
    return await fn();
  } finally {
    process.stderr.write(`[flibs] ${Date.now() - started} ms: ${what}\n`);
  }
}

/** Whether `cmd` is an executable file on PATH (or at its path): a look, not a run. */
export async function onPath(cmd: string, path = process.env.PATH ?? ""): Promise<boolean> {
  const candidates = cmd.includes("/") ? [cmd] : path.split(delimiter).filter(Boolean).map((d) => join(d, cmd));
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK);
      return true;
    } catch {
      // next
    }
  }
  return false;
}
