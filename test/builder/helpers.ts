/**
 * Real parts for builder tests: a private buildah storage per test, a 2-arch busybox base image pushed to the
 * test registry as an OCI index, and a container repo as a Git checkout with a fixed commit time.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { BuildahBuilder, type BuildahOptions } from "../../src/builder/index.js";

const exec = promisify(execFile);
// From the repo root when bundled (the build bench runs a bundle from elsewhere, with the root as cwd).
const besideTests = join(import.meta.dirname, "../fixtures/build");
export const FIXTURES = existsSync(besideTests) ? besideTests : join(process.cwd(), "test/fixtures/build");
export const BUSYBOX = { x86_64: "/bin/busybox", aarch64: "/usr/local/lib/flibs-test/busybox-aarch64" } as const;

/** Fails (never skips) with how to get what is missing. */
export async function requireBuildTools(): Promise<void> {
  for (const [what, path] of [
    ["busybox-static (x86_64)", BUSYBOX.x86_64],
    ["busybox-static:arm64", BUSYBOX.aarch64],
    ["qemu-aarch64 binfmt registration", "/proc/sys/fs/binfmt_misc/qemu-aarch64"],
  ] as const) {
    if (!existsSync(path)) throw new Error(`${what} missing (${path}): run \`sudo bash scripts/setup-system.sh\``);
  }
  for (const tool of ["buildah", "skopeo", "git"]) {
    try {
      await exec(tool, ["--version"]);
    } catch {
      throw new Error(`${tool} is not installed: run \`sudo bash scripts/setup-system.sh\``);
    }
  }
}

export interface Storage {
  options: BuildahOptions;
  builder: BuildahBuilder;
  remove(): Promise<void>;
}

export async function newStorage(): Promise<Storage> {
  const dir = await mkdtemp(join(tmpdir(), "flibs-buildah-"));
  const options: BuildahOptions = { root: join(dir, "root"), runroot: join(dir, "run"), storageDriver: "vfs", isolation: "chroot" };
  const builder = new BuildahBuilder(options);
  return {
    options,
    builder,
    async remove() {
      await builder.cleanup();
      // vfs layers can hold read-only dirs; buildah removes its own storage cleanly.
      await exec("buildah", ["--root", options.root!, "--runroot", options.runroot!, "--storage-driver", "vfs", "rm", "--all"]).catch(
        () => undefined,
      );
      await exec("buildah", [
        "--root",
        options.root!,
        "--runroot",
        options.runroot!,
        "--storage-driver",
        "vfs",
        "rmi",
        "--all",
        "--force",
      ]).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function buildah(o: BuildahOptions, args: string[]) {
  return exec("buildah", ["--root", o.root!, "--runroot", o.runroot!, "--storage-driver", "vfs", ...args], { maxBuffer: 16 << 20 });
}

/** Pushes a busybox image per arch (built from scratch, `busybox --install` run under qemu for aarch64) as one index. */
export async function pushBusyboxBase(
  storage: Storage,
  ref: string,
  arches: Array<keyof typeof BUSYBOX> = ["x86_64", "aarch64"],
): Promise<void> {
  const o = storage.options;
  const list = `localhost/flibs-base-list-${Date.now()}`;
  await buildah(o, ["manifest", "create", list]);
  for (const arch of arches) {
    const goArch = arch === "x86_64" ? "amd64" : "arm64";
    const { stdout } = await buildah(o, ["from", "--arch", goArch, "scratch"]);
    const ctr = stdout.trim();
    await buildah(o, ["copy", ctr, BUSYBOX[arch], "/bin/busybox"]);
    await buildah(o, ["run", "--isolation", "chroot", ctr, "--", "/bin/busybox", "--install", "-s", "/bin"]);
    await buildah(o, ["config", "--arch", goArch, "--os", "linux", "--cmd", "/bin/sh", ctr]);
    const name = `localhost/flibs-base-${goArch}`;
    await buildah(o, ["commit", "--timestamp", "0", "--identity-label=false", "-q", ctr, name]);
    await buildah(o, ["rm", ctr]);
    await buildah(o, ["manifest", "add", list, name]);
  }
  await buildah(o, ["manifest", "push", "--all", "--tls-verify=false", "--format", "oci", list, `docker://${ref}`]);
}

/** A container repo in a temp dir: the fixture repo with `@BASE@` replaced, committed at a fixed time. */
export async function makeContainerRepo(
  base: string,
  time = 1_700_000_000,
): Promise<{ dir: string; sha: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "flibs-repo-"));
  await cp(join(FIXTURES, "repo"), dir, { recursive: true });
  const template = await readFile(join(dir, "Dockerfile.in"), "utf8");
  await rm(join(dir, "Dockerfile.in"));
  await writeFile(join(dir, "Dockerfile"), template.replace("@BASE@", base));
  for (const arch of ["x86_64", "aarch64"]) await cp(join(FIXTURES, "dpkg", `status-${arch}`), join(dir, `status-${arch}`));
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: "t",
    GIT_AUTHOR_EMAIL: "t@example.com",
    GIT_COMMITTER_NAME: "t",
    GIT_COMMITTER_EMAIL: "t@example.com",
    GIT_AUTHOR_DATE: `@${time} +0000`,
    GIT_COMMITTER_DATE: `@${time} +0000`,
  };
  await exec("git", ["-C", dir, "init", "-q", "-b", "main"], { env });
  await exec("git", ["-C", dir, "add", "."], { env });
  await exec("git", ["-C", dir, "commit", "-q", "-m", "image"], { env });
  const { stdout } = await exec("git", ["-C", dir, "rev-parse", "HEAD"]);
  return { dir, sha: stdout.trim(), remove: () => rm(dir, { recursive: true, force: true }) };
}
