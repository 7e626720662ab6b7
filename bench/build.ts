/**
 * Build benchmark: the overhead flibs adds around a 2-arch build (base pinning, labels, the embedded
 * Dockerfile, per-arch push, index, package read, drift, build record) against plain `buildah bud` per arch +
 * `buildah manifest push --all` of the same Dockerfile. Both run as their own processes against the same
 * loopback registry, from the same private vfs storage, in turn, with the base already pulled by a warm-up.
 * flibs runs as `flibs build` (its CLI, in a child process), without image tests (the baseline has none).
 *
 * Env: BENCH_RUNS (default 3); FLIBS_TRACE=1 shows where flibs' time goes. Prints the medians and the ratio
 * (goal < 1.2x).
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../src/cli/main.js";
import { startRegistry } from "../test/helpers/registry.js";
import { makeContainerRepo, newStorage, pushBusyboxBase, requireBuildTools } from "../test/builder/helpers.js";

function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    c.stderr.on("data", (d: Buffer) => (err += d.toString()));
    c.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")}: ${err.slice(-500)}`))));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

if (process.argv[2] === "flibs-child") {
  // The flibs side: its CLI, as a user runs it.
  process.exitCode = await main(process.argv.slice(3), {
    stdout: () => undefined,
    stderr: (s) => process.stderr.write(s.startsWith("building") ? "" : s),
    cwd: process.cwd(),
    env: process.env,
  });
} else {
  await requireBuildTools();
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const registry = await startRegistry();
  const storage = await newStorage();
  const work = await mkdtemp(join(tmpdir(), "flibs-bench-build-"));
  let made: Awaited<ReturnType<typeof makeContainerRepo>> | undefined;
  try {
    await pushBusyboxBase(storage, `${registry.host}/base/busybox:1`);
    const repo = (made = await makeContainerRepo(`${registry.host}/base/busybox:1`));
    const conf = join(work, "storage.conf");
    await writeFile(conf, `[storage]\ndriver = "vfs"\ngraphroot = "${storage.options.root}"\nrunroot = "${storage.options.runroot}"\n`);
    const env = { ...process.env, CONTAINERS_STORAGE_CONF: conf, BUILDAH_LAYERS: "false" };
    const g = ["--root", storage.options.root!, "--runroot", storage.options.runroot!, "--storage-driver", "vfs"];

    const plain = async (i: number) => {
      const t0 = performance.now();
      for (const [arch, platform] of [["amd64", "linux/amd64"], ["arm64", "linux/arm64"]] as const) {
        await sh("buildah", [...g, "bud", "--isolation", "chroot", "--platform", platform, "--timestamp", "1700000000", "--tls-verify=false", "-t", `localhost/plain-${arch}`, "-f", join(repo.dir, "Dockerfile"), repo.dir], env);
      }
      const list = `localhost/plain-list-${i}`;
      await sh("buildah", [...g, "manifest", "create", list], env);
      for (const arch of ["amd64", "arm64"]) await sh("buildah", [...g, "manifest", "add", list, `localhost/plain-${arch}`], env);
      await sh("buildah", [...g, "manifest", "push", "--all", "--tls-verify=false", "--format", "oci", list, `docker://${registry.host}/plain/app:run-${i}`], env);
      const ms = performance.now() - t0;
      await sh("buildah", [...g, "manifest", "rm", list], env).catch(() => undefined);
      return ms;
    };
    const flibs = async (i: number) => {
      const t0 = performance.now();
      await new Promise<void>((resolve, reject) => {
        const c = spawn(process.execPath, [process.argv[1]!, "flibs-child", "build", repo.dir, "--platforms", "x86_64,aarch64", "--push", `${registry.host}/flibs/app:run-${i}`, "--allow-base", registry.host, "--no-test", "--root", storage.options.root!, "--runroot", storage.options.runroot!, "--storage-driver", "vfs"], { env, cwd: repo.dir, stdio: ["ignore", "ignore", "pipe"] });
        let err = "";
        c.stderr.on("data", (d: Buffer) => {
          err += d.toString();
          if (process.env.FLIBS_TRACE) process.stderr.write(d);
        });
        c.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`flibs build failed: ${err.slice(-800)}`))));
      });
      return performance.now() - t0;
    };

    await plain(-1); // warm-up: base pulled into storage, caches primed for both
    await flibs(-1);
    const p: number[] = [];
    const f: number[] = [];
    for (let i = 0; i < runs; i++) {
      p.push(await plain(i));
      f.push(await flibs(i));
    }
    const mp = median(p);
    const mf = median(f);
    console.log(`2-arch build (x86_64 native + aarch64 under qemu), ${runs} runs each, medians:`);
    console.log(`  buildah bud x2 + manifest push : ${(mp / 1000).toFixed(2)} s  (${p.map((x) => (x / 1000).toFixed(2)).join(", ")})`);
    console.log(`  flibs build                    : ${(mf / 1000).toFixed(2)} s  (${f.map((x) => (x / 1000).toFixed(2)).join(", ")})`);
    console.log(`  ratio flibs / plain            : ${(mf / mp).toFixed(2)}x  (goal < 1.2x)`);
  } finally {
    await made?.remove();
    await storage.remove();
    await registry.stop();
    await rm(work, { recursive: true, force: true });
  }
}
