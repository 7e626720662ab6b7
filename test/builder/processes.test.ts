/**
 * The tools a build starts, and what they start, end with the build: a timeout kills a tool's whole tree, and
 * a job's directory goes with whatever still runs inside it. Real processes, found the way the code finds
 * them (/proc); each sleeps a duration no other process on the machine uses, so the test sees only its own.
 */
import { spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createJobDir, mountsUnder, run } from "../../src/builder/index.js";
import { descendants, listProcesses } from "../../src/builder/processes.js";
import { alive, uniqueSleep, withCmdline } from "./process-helpers.js";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe("a tool's process tree", () => {
  it("a timeout kills the tool and everything it started, in its session or another", async () => {
    const [a, b] = [uniqueSleep(), uniqueSleep()];
    const started = Date.now();
    // The second sleep gets a session of its own (as runc gives a container's init), still a descendant.
    await expect(run("sh", ["-c", `sleep ${a} & setsid sleep ${b} & wait`], { timeoutMs: 700 })).rejects.toThrow(
      /took longer than 1 s and was stopped/,
    );
    expect(Date.now() - started).toBeLessThan(5000);
    await expect.poll(() => withCmdline(`sleep ${a}`).length + withCmdline(`sleep ${b}`).length, { timeout: 3000 }).toBe(0);
  });

  it("finds descendants across sessions and process groups, and not the processes beside them", () => {
    const procs = [
      { pid: 10, ppid: 1, pgid: 10 },
      { pid: 11, ppid: 10, pgid: 10 },
      { pid: 12, ppid: 11, pgid: 12 },
      { pid: 13, ppid: 1, pgid: 10 },
      { pid: 20, ppid: 1, pgid: 20 },
      { pid: 21, ppid: 20, pgid: 20 },
    ];
    expect([...descendants(new Set([10]), procs)].sort()).toEqual([11, 12, 13]);
    expect(listProcesses().some((p) => p.pid === process.pid && p.ppid === process.ppid)).toBe(true);
  });
});

describe("a job's directory", () => {
  it("is private (0700), holds the storage, a TMPDIR and the auth file's place, and is removed with what runs in it", async () => {
    const parent = await mkdtemp(join(tmpdir(), "flibs-runner-temp-"));
    dirs.push(parent);
    const job = await createJobDir(join(parent, "_temp"), { buildahTmpParent: parent });
    for (const d of [job.dir, join(job.dir, "auth"), join(job.dir, "storage")]) expect((await stat(d)).mode & 0o777).toBe(0o700);
    for (const d of [job.root, job.runroot, job.tmp]) expect(d.startsWith(job.dir + "/")).toBe(true);
    // buildah's TMPDIR may be crossed (a RUN step's mapped root reaches its rootfs there), not listed.
    expect((await stat(job.buildahTmp)).mode & 0o777).toBe(0o711);
    expect(job.authFile).toBe(join(job.dir, "auth", "config.json"));
    // A read-only directory, as vfs layers hold, and a process working inside the storage.
    await mkdir(join(job.root, "vfs", "dir", "l1", "bin"), { recursive: true });
    await writeFile(join(job.root, "vfs", "dir", "l1", "bin", "sh"), "x");
    await chmod(join(job.root, "vfs", "dir", "l1"), 0o555);
    const s = uniqueSleep();
    const leftover = spawn("sleep", [s], { cwd: join(job.root, "vfs"), detached: true, stdio: "ignore" });
    leftover.unref();
    expect(alive(leftover.pid!)).toBe(true);
    await job.remove();
    await job.remove();
    expect(await readdir(join(parent, "_temp"))).toEqual([]);
    expect((await readdir(parent)).sort()).toEqual(["_temp"]);
    await expect.poll(() => alive(leftover.pid!), { timeout: 3000 }).toBe(false);
  });

  it("finds the mounts buildah left under it, deepest first, with escaped names decoded", () => {
    const info = [
      "22 1 0:21 / / rw - ext4 /dev/vda rw",
      "90 22 0:50 / /runner/_temp/flibs-job-a/storage/root/overlay/l1/merged rw - overlay overlay rw",
      "91 22 0:51 / /runner/_temp/flibs-job-a/storage/run/with\\040space rw - tmpfs tmpfs rw",
      "92 90 0:52 / /runner/_temp/flibs-job-a/storage/root/overlay/l1/merged/proc rw - proc proc rw",
      "93 22 0:53 / /runner/_temp/flibs-job-ab rw - tmpfs tmpfs rw",
    ].join("\n");
    expect(mountsUnder("/runner/_temp/flibs-job-a", info)).toEqual([
      "/runner/_temp/flibs-job-a/storage/root/overlay/l1/merged/proc",
      "/runner/_temp/flibs-job-a/storage/root/overlay/l1/merged",
      "/runner/_temp/flibs-job-a/storage/run/with space",
    ]);
  });
});
