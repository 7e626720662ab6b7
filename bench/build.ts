/**
 * Build benchmark: the overhead flibs adds around a 2-arch build (base pinning, labels, the embedded
 * Dockerfile, per-arch push, index, package read, drift, build record) against plain `buildah bud` per arch +
 * `buildah manifest push --all` of the same Dockerfile. Both run as their own processes against the same
 * loopback registry, from the same private vfs storage, with the base already pulled by a warm-up of each.
 * flibs runs as `flibs build` (its CLI, bundled by bench/build.mjs like the shipped one, in a child process),
 * without image tests (the baseline has none), so its buildah commits each arch straight to the registry
 * (with image tests it keeps a local image, commits, pushes and removes it: ~0.1 s CPU more per arch).
 *
 * Fairness: every run starts from the same storage (the bases only: plain's images are removed after each of
 * its runs, untimed; flibs leaves none); the two sides take turns and swap who goes first on every round, so
 * neither always runs on the other's warm page cache; the medians are compared. Next to wall time, the CPU
 * time of each side's whole process tree is compared: on a shared, loaded machine wall time mostly measures
 * the neighbours, CPU time hardly moves. The load average is printed with the result; run more rounds
 * (BENCH_RUNS) when it is high.
 *
 * Env: BENCH_RUNS (rounds, default 5); FLIBS_TRACE=1 shows each tool call of both sides with its wall and
 * CPU time, and flibs' own registry steps; BENCH_CHILD_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" passes node
 * flags to the flibs child (profiling; the child is then not minified). Prints the medians and the ratios
 * (goal < 1.2x).
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { childrenCpuMs } from "../src/builder/exec.js";
import { startRegistry } from "../test/helpers/registry.js";
import { makeContainerRepo, newStorage, pushBusyboxBase, requireBuildTools } from "../test/builder/helpers.js";

const trace = process.env.FLIBS_TRACE ? (line: string) => process.stderr.write(`${line}\n`) : undefined;

/** Runs a tool; FLIBS_TRACE lines look like the flibs side's ones (src/builder/exec.ts). */
function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const t0 = performance.now();
  const c0 = childrenCpuMs() ?? 0;
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    c.stderr.on("data", (d: Buffer) => (err += d.toString()));
    c.on("close", (code) => {
      trace?.(
        `[plain] ${Math.round(performance.now() - t0)} ms, ${(childrenCpuMs() ?? 0) - c0} ms CPU exit ${code}: ${cmd} ${args.join(" ")}`,
      );
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(" ")}: ${err.slice(-500)}`));
    });
  });
}

/**
 * CPU ms (user + system) of this process's finished children and all they waited for: the whole tree of one
 * side's run. Unlike wall time it hardly moves with the machine's load (Linux /proc; 10 ms ticks).
 */
const childCpu = () => childrenCpuMs() ?? 0;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const secs = (ms: number) => (ms / 1000).toFixed(2);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");

const cli = process.env.FLIBS_BENCH_CLI;
if (!cli) throw new Error("run the build bench through bench/build.mjs (npm run bench:build): it bundles the CLI it times");
const childNodeArgs = (process.env.BENCH_CHILD_NODE_ARGS ?? "").split(" ").filter(Boolean);

await requireBuildTools();
const runs = Number(process.env.BENCH_RUNS ?? 5);
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
    for (const [arch, platform] of [
      ["amd64", "linux/amd64"],
      ["arm64", "linux/arm64"],
    ] as const) {
      await sh(
        "buildah",
        [
          ...g,
          "bud",
          "--isolation",
          "oci",
          "--platform",
          platform,
          "--timestamp",
          "1700000000",
          "--tls-verify=false",
          "-t",
          `localhost/plain-${arch}`,
          "-f",
          join(repo.dir, "Dockerfile"),
          repo.dir,
        ],
        env,
      );
    }
    const list = `localhost/plain-list-${i}`;
    await sh("buildah", [...g, "manifest", "create", list], env);
    for (const arch of ["amd64", "arm64"]) await sh("buildah", [...g, "manifest", "add", list, `localhost/plain-${arch}`], env);
    await sh(
      "buildah",
      [...g, "manifest", "push", "--all", "--tls-verify=false", "--format", "oci", list, `docker://${registry.host}/plain/app:run-${i}`],
      env,
    );
    return performance.now() - t0;
  };
  // Untimed, after each plain run: back to the state flibs leaves (it removes its images), so both start alike.
  const plainReset = (i: number) =>
    sh("buildah", [...g, "rmi", "-f", `localhost/plain-list-${i}`, "localhost/plain-amd64", "localhost/plain-arm64"], env).catch(
      () => undefined,
    );
  const flibs = async (i: number) => {
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const args = [
        ...childNodeArgs,
        cli,
        "build",
        repo.dir,
        "--platforms",
        "x86_64,aarch64",
        "--push",
        `${registry.host}/flibs/app:run-${i}`,
        "--allow-base",
        registry.host,
        "--no-test",
      ];
      const c = spawn(
        process.execPath,
        [...args, "--root", storage.options.root!, "--runroot", storage.options.runroot!, "--storage-driver", "vfs"],
        { env, cwd: repo.dir, stdio: ["ignore", "ignore", "pipe"] },
      );
      let err = "";
      c.stderr.on("data", (d: Buffer) => {
        err += d.toString();
        if (trace) process.stderr.write(d);
      });
      c.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`flibs build failed: ${err.slice(-800)}`))));
    });
    return performance.now() - t0;
  };

  const loadBefore = load();
  await plain(-1); // warm-up: bases pulled into storage, caches primed for both
  await plainReset(-1);
  await flibs(-1);
  const p: number[] = [];
  const f: number[] = [];
  const pc: number[] = [];
  const fc: number[] = [];
  const side = async (run: (i: number) => Promise<number>, i: number, wall: number[], cpu: number[]) => {
    const c0 = childCpu();
    wall.push(await run(i));
    cpu.push(childCpu() - c0);
    if (run === plain) await plainReset(i);
  };
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      await side(plain, i, p, pc);
      await side(flibs, i, f, fc);
    } else {
      await side(flibs, i, f, fc);
      await side(plain, i, p, pc);
    }
  }
  const mp = median(p);
  const mf = median(f);
  console.log(`2-arch build (x86_64 native + aarch64 under qemu), ${runs} rounds (order alternating), medians:`);
  console.log(`  buildah bud x2 + manifest push : ${secs(mp)} s  (${p.map(secs).join(", ")})`);
  console.log(`  flibs build                    : ${secs(mf)} s  (${f.map(secs).join(", ")})`);
  console.log(`  ratio flibs / plain            : ${(mf / mp).toFixed(2)}x  (goal < 1.2x)`);
  console.log(
    `  CPU s, plain / flibs (medians) : ${secs(median(pc))} / ${secs(median(fc))} = ${(median(fc) / median(pc)).toFixed(2)}x  (user+sys of each side's process tree)`,
  );
  console.log(`  load average before / after    : ${loadBefore} / ${load()}`);
} finally {
  await made?.remove();
  await storage.remove();
  await registry.stop();
  await rm(work, { recursive: true, force: true });
}
