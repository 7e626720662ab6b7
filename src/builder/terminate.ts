import type { ChildProcess } from "node:child_process";
import { killTrees } from "./processes.js";

/**
 * The tools flibs runs end when flibs is told to stop. `run` (exec.ts) starts each tool in a process group
 * and session of its own and tracks it here; the first tool tracked installs handlers for SIGINT, SIGTERM
 * and SIGHUP, which kill every tracked tool with its whole process tree, run the registered clean-ups and
 * exit 128 + the signal's number. That is also how a runner cancels a step (a cancelled run, the job's
 * timeout): SIGINT to the step's process, SIGTERM 7.5 s later, and 2.5 s after that it kills the process
 * tree (docs.github.com, "Canceling a workflow"; some runners send SIGHUP).
 */
const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;
type StopSignal = keyof typeof SIGNALS;

const live = new Set<ChildProcess>();
const cleanups = new Set<(signal: StopSignal) => Promise<void>>();
let log: (line: string) => void = (line) => process.stderr.write(`flibs: ${line}\n`);
let stopping = false;
let installed = false;

/** Tracks a tool `run` started, until it exits. */
export function track(child: ChildProcess): void {
  install();
  live.add(child);
  const forget = () => live.delete(child);
  child.once("exit", forget);
  child.once("error", forget);
}

/**
 * Kills every tracked tool with everything it started (buildah's runc, qemu and container processes
 * included); from now on `run` refuses new tools, except clean-up calls. Resolves when the tools have exited,
 * or after `waitMs`.
 */
export async function stopChildren(waitMs = 5000): Promise<void> {
  stopping = true;
  const children = [...live];
  const exited = Promise.all(
    children.map((c) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once("exit", () => r())))),
  );
  killTrees(children.map((c) => c.pid).filter((p): p is number => p !== undefined));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([exited, new Promise<void>((r) => (timer = setTimeout(r, waitMs)))]);
  clearTimeout(timer);
}

/** Whether flibs is stopping: a tool that failed now failed because it was stopped. */
export function isStopping(): boolean {
  return stopping;
}

/**
 * Runs `cleanup` when a stop signal arrives, after the tools were killed (the Action removes the job's
 * storage and credentials); the latest registered runs first. `logLine` replaces where the stop is reported.
 * Returns the unregistration.
 */
export function onStop(cleanup: (signal: StopSignal) => Promise<void>, logLine?: (line: string) => void): () => void {
  install();
  if (logLine) log = logLine;
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

function install(): void {
  if (installed) return;
  installed = true;
  let started = false;
  const handler = (signal: StopSignal) => {
    // Later signals (the runner's SIGTERM after SIGINT) change nothing: the stop is under way.
    if (started) return;
    started = true;
    log(`${signal}: stopping every tool flibs started`);
    void (async () => {
      try {
        await stopChildren();
        // Latest first, as `finally` blocks unwind: the innermost scope's clean-up before the outer ones.
        for (const c of [...cleanups].reverse())
          await c(signal).catch((e: unknown) => log(`clean-up after ${signal} failed: ${String(e)}`));
      } finally {
        process.exit(128 + SIGNALS[signal]);
      }
    })();
  };
  for (const s of Object.keys(SIGNALS) as StopSignal[]) process.on(s, handler);
}
