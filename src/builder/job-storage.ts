import { readFileSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { basename, join, sep } from "node:path";
import { FlibsError } from "../core/errors.js";
import { run } from "./exec.js";
import { killTrees, processesInside } from "./processes.js";

/**
 * One job's private directory (0700), under the runner's RUNNER_TEMP: the container storage buildah uses for
 * this job alone (`--root`, `--runroot`), a TMPDIR for flibs, and the registry auth file. Nothing of it is
 * shared with another job: a base image is pulled into it again, so no earlier job's build step can have
 * changed it, and it is removed when the job ends, whatever happened.
 */
export interface JobDir {
  dir: string;
  /** buildah `--root` and `--runroot`. */
  root: string;
  runroot: string;
  /** TMPDIR for flibs' own files (the pinned Dockerfile, package databases). */
  tmp: string;
  /**
   * TMPDIR for buildah, where it mounts each RUN step's rootfs: a directory of this job's (0711) in /var/tmp,
   * buildah's default place. It is not under RUNNER_TEMP because a RUN step's root, mapped to an
   * unprivileged host id, must be able to cross every directory above it, and a runner's home seldom lets
   * others cross it. It holds no credential; it is removed with the job's directory.
   */
  buildahTmp: string;
  /** `auth/config.json`: a containers-auth.json that is also a Docker config (`DOCKER_CONFIG=auth/`). */
  authFile: string;
  /** Kills what still runs inside it, unmounts what buildah left mounted, deletes it; safe to call twice. */
  remove(): Promise<void>;
}

export async function createJobDir(parent: string, o: { buildahBin?: string; buildahTmpParent?: string } = {}): Promise<JobDir> {
  await mkdir(parent, { recursive: true });
  // mkdtemp makes each directory 0700.
  const dir = await mkdtemp(join(parent, "flibs-job-"));
  const paths = {
    root: join(dir, "storage", "root"),
    runroot: join(dir, "storage", "run"),
    tmp: join(dir, "tmp"),
    auth: join(dir, "auth"),
  };
  for (const p of Object.values(paths)) await mkdir(p, { recursive: true, mode: 0o700 });
  const buildahTmp = await mkdtemp(join(o.buildahTmpParent ?? "/var/tmp", `${basename(dir)}-buildah-`));
  // Crossed by a RUN step's mapped root on its way to the rootfs; buildah's own directories in it are 0700.
  await chmod(buildahTmp, 0o711);
  let removal: Promise<void> | undefined;
  return {
    dir,
    root: paths.root,
    runroot: paths.runroot,
    tmp: paths.tmp,
    buildahTmp,
    authFile: join(paths.auth, "config.json"),
    remove: () => (removal ??= removeAll([dir, buildahTmp], o.buildahBin ?? "buildah")),
  };
}

/** Mount points at or under `dir`, deepest first, from /proc/self/mountinfo (octal escapes decoded). */
export function mountsUnder(dir: string, mountinfo?: string): string[] {
  let text = mountinfo;
  if (text === undefined) {
    try {
      text = readFileSync("/proc/self/mountinfo", "utf8");
    } catch {
      return [];
    }
  }
  const prefix = dir.endsWith(sep) ? dir : dir + sep;
  return text
    .split("\n")
    .map((l) => l.split(" ")[4])
    .filter((m): m is string => m !== undefined)
    .map((m) => m.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((m) => m === dir || m.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
}

async function removeAll(dirs: string[], buildahBin: string): Promise<void> {
  const failures: unknown[] = [];
  for (const d of dirs) await removeJobDir(d, buildahBin).catch((e: unknown) => failures.push(e));
  if (failures.length) throw failures[0];
}

async function removeJobDir(dir: string, buildahBin: string): Promise<void> {
  // A build step's leftovers (a daemon a chroot-isolated RUN started, rooted in the storage).
  killTrees(processesInside(dir));
  // Overlay mounts of containers whose buildah was killed stay mounted in the runner's namespace.
  for (const m of mountsUnder(dir)) await run("umount", ["-l", m], { whileStopping: true, timeoutMs: 10_000 }).catch(() => undefined);
  try {
    await rm(dir, { recursive: true, force: true, maxRetries: 2 });
  } catch (e) {
    // Rootless buildah stores files owned by the user's subordinate ids: only its user namespace removes them.
    await run(buildahBin, ["unshare", "rm", "-rf", dir], { whileStopping: true, timeoutMs: 60_000 }).catch(() => undefined);
    if (await exists(dir)) throw new FlibsError("io", `cannot remove this job's storage ${dir}: ${String(e)}`);
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
