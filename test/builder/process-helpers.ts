/** Finding a test's own processes on a shared machine: by a command line no one else uses. */
import { randomInt } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";

/** A sleep duration (seconds, with a random fraction) that names one test's processes. */
export function uniqueSleep(): string {
  return `${300 + randomInt(100)}.${randomInt(1_000_000).toString().padStart(6, "0")}`;
}

/** Pids whose command line (arguments joined by spaces) contains `text`. */
export function withCmdline(text: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0").join(" ");
      if (cmd.includes(text)) out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out;
}

export function alive(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0];
    return state !== "Z";
  } catch {
    return false;
  }
}
