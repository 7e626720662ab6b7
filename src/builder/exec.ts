import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { access, constants } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { FlibsError } from "../core/errors.js";
import { killTrees } from "./processes.js";
import { isStopping, track } from "./terminate.js";

export interface RunResult {
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Called with each chunk of output (build logs go to the job log as they come). */
  onOutput?: (chunk: string) => void;
  /** Kills the tool and its process tree after this long; the call fails saying so. */
  timeoutMs?: number;
  /** Runs even while flibs is stopping (the clean-up that follows `stopChildren`). */
  whileStopping?: boolean;
}

/** Runs a tool without a shell; a non-zero exit is a `build` FlibsError naming the tool and its last output. */
export function run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  // FLIBS_TRACE=1: each tool call, its duration and CPU time on stderr (where a build's time goes).
  const cpu0 = process.env.FLIBS_TRACE ? childrenCpuMs() : undefined;
  const trace =
    cpu0 !== undefined
      ? (code: number | null) => {
          const cpu = childrenCpuMs();
          const used = cpu !== undefined ? `, ${cpu - cpu0} ms CPU` : "";
          process.stderr.write(`[flibs] ${Date.now() - started} ms${used} exit ${code}: ${cmd} ${args.join(" ")}\n`);
        }
      : undefined;
  return new Promise((resolve, reject) => {
    if (isStopping() && !options.whileStopping) {
      reject(new FlibsError("build", `not running ${cmd}: flibs is stopping`));
      return;
    }
    let stdout = "";
    let stderr = "";
    let child: ChildProcess & { stdout: NodeJS.ReadableStream; stderr: NodeJS.ReadableStream };
    try {
      // detached: a session and process group of its own, killed whole when flibs stops (terminate.ts); a
      // signal sent to flibs' own group (a terminal's Ctrl-C) reaches flibs, which decides.
      child = spawn(cmd, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    } catch (e) {
      reject(new FlibsError("build", `cannot run ${cmd}: ${String(e)}`));
      return;
    }
    track(child);
    let timedOut = false;
    const timer = options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          if (child.pid !== undefined) killTrees([child.pid]);
        }, options.timeoutMs)
      : undefined;
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      options.onOutput?.(d.toString());
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      options.onOutput?.(d.toString());
    });
    // A process the tool left behind can hold its output pipes open: the tool's exit is what counts.
    child.on("exit", () => {
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, 2000).unref();
    });
    child.on("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new FlibsError("build", e.code === "ENOENT" ? `${cmd} is not installed` : `cannot run ${cmd}: ${e.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      trace?.(code);
      if (timedOut)
        reject(
          new FlibsError("build", `${cmd} ${args[0] ?? ""} took longer than ${Math.round(options.timeoutMs! / 1000)} s and was stopped`, {
            detail: { stdout, stderr },
          }),
        );
      else if (code === 0) resolve({ stdout, stderr });
      else {
        const tail = (stderr.trim() || stdout.trim()).split("\n").slice(-5).join("\n");
        reject(
          new FlibsError("build", `${cmd} ${args[0] ?? ""} failed (${signal ?? `exit ${code}`}): ${tail}`, {
            detail: { stdout, stderr, code, signal },
          }),
        );
      }
    });
  });
}

/** The exit status a failed `run` reported, if the tool exited (rather than being killed). */
export function exitCodeOf(e: unknown): number | undefined {
  const code = (e as { detail?: { code?: unknown } } | undefined)?.detail?.code;
  return typeof code === "number" ? code : undefined;
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
  const candidates = cmd.includes("/")
    ? [cmd]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((d) => join(d, cmd));
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

/**
 * CPU time (user + system, ms) of this process's finished children and what they waited for, from Linux's
 * /proc/self/stat (cutime + cstime, in 10 ms ticks); undefined elsewhere. For FLIBS_TRACE only: calls running
 * at the same time share it.
 */
export function childrenCpuMs(): number | undefined {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[13]) + Number(f[14])) * 10;
  } catch {
    return undefined;
  }
}
