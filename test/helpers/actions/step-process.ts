/**
 * One step's process, as the runner starts it: in its own process group, so cancelling the job or reaching
 * its timeout ends the whole tree (the runner sends SIGINT, then SIGTERM and kills what is left; here the grace
 * is short so tests stay fast). stdout and stderr are read line by line (workflow commands are parsed from both).
 */
import { spawn } from "node:child_process";

export interface ProcessResult {
  code: number | null;
  signal: string | null;
  /** Set when `abort` ended it. */
  aborted?: string;
}

export interface StepProcess {
  done: Promise<ProcessResult>;
  abort(reason: string): void;
}

export function startProcess(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; onLine(line: string): void },
): StepProcess {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let aborted: string | undefined;
  const pipe = (stream: NodeJS.ReadableStream | null) => {
    let rest = "";
    stream?.on("data", (d: Buffer) => {
      rest += d.toString("utf8");
      const lines = rest.split("\n");
      rest = lines.pop() ?? "";
      for (const l of lines) options.onLine(l);
    });
    return new Promise<void>(
      (resolve) =>
        stream?.on("close", () => {
          if (rest) options.onLine(rest);
          resolve();
        }) ?? resolve(),
    );
  };
  const streams = Promise.all([pipe(child.stdout), pipe(child.stderr)]);
  const exited = new Promise<ProcessResult>((resolve) => {
    child.on("error", (e) => {
      options.onLine(`##[error]${e.message}`);
      resolve({ code: 127, signal: null });
    });
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const done = (async () => {
    const r = await exited;
    // A background child may keep the pipes open after the shell exited: end the group, then stop reading.
    killGroup("SIGKILL");
    await Promise.race([streams, new Promise((resolve) => setTimeout(resolve, 200))]);
    return aborted ? { ...r, aborted } : r;
  })();
  return {
    done,
    abort(reason) {
      if (aborted || child.exitCode !== null) return;
      aborted = reason;
      killGroup("SIGINT");
      setTimeout(() => killGroup("SIGKILL"), 300).unref();
    },
  };
}
