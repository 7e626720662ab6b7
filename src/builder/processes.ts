import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { sep } from "node:path";

/**
 * Process trees from Linux's /proc, to stop what a build started: buildah's own children (runc, qemu, the
 * container's init, which runc puts in a session of its own) share neither buildah's process group nor its
 * fate, so killing a tool means finding its descendants. Elsewhere (no /proc) the lists are empty.
 */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
}

export function listProcesses(): ProcessInfo[] {
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return [];
  }
  const out: ProcessInfo[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses.
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.push({ pid: Number(name), ppid: Number(f[1]), pgid: Number(f[2]) });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Every descendant of `roots` (not the roots themselves), and every member of their process groups. */
export function descendants(roots: ReadonlySet<number>, procs: readonly ProcessInfo[] = listProcesses()): Set<number> {
  const children = new Map<number, number[]>();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const found = new Set<number>();
  const queue = [...roots, ...procs.filter((p) => roots.has(p.pgid)).map((p) => p.pid)];
  while (queue.length) {
    const pid = queue.pop()!;
    if (!roots.has(pid)) found.add(pid);
    for (const c of children.get(pid) ?? []) if (!found.has(c)) queue.push(c);
  }
  return found;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone, or not ours to signal
  }
}

/**
 * SIGKILLs `roots` and their whole trees. The trees are frozen first (SIGSTOP, repeated until no new process
 * appears) so that no process forks or is reparented out of sight between the look and the kill.
 */
export function killTrees(roots: Iterable<number>): number[] {
  const rootSet = new Set(roots);
  const seen = new Set(rootSet);
  for (let round = 0; round < 20; round++) {
    for (const pid of seen) signal(pid, "SIGSTOP");
    const before = seen.size;
    for (const pid of descendants(seen)) seen.add(pid);
    if (seen.size === before) break;
  }
  for (const pid of seen) signal(pid, "SIGKILL");
  for (const pgid of rootSet) signal(-pgid, "SIGKILL");
  return [...seen];
}

/** Processes whose root directory or working directory is `dir` or inside it (left by a build step there). */
export function processesInside(dir: string): number[] {
  const prefix = dir.endsWith(sep) ? dir : dir + sep;
  const inside = (p: string) => p === dir || p.startsWith(prefix);
  const out: number[] = [];
  for (const p of listProcesses()) {
    if (p.pid === process.pid) continue;
    for (const link of ["root", "cwd"]) {
      try {
        if (inside(readlinkSync(`/proc/${p.pid}/${link}`))) {
          out.push(p.pid);
          break;
        }
      } catch {
        // gone, or not ours to read
      }
    }
  }
  return out;
}
