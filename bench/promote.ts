/**
 * Promotion benchmark: flibs against `skopeo copy --all --preserve-digests`, run in turn, each as its own
 * process (start-up included for both), skopeo's blob-info cache removed before each of its runs and a
 * fresh destination repository for every run.
 *
 *   default  a 2-arch index of ~100 MB (incompressible layers): inside one registry and across two
 *   --rss    ~1 GB of layers across two registries: flibs' peak RSS (goal < 128 MB)
 *
 * Env: BENCH_RUNS (default 5), BENCH_MB (default 100, or 1024 with --rss).
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildResult } from "./promote-child.js";
import { pushLayout, startRegistry, writeOciLayout, type TestRegistry } from "../test/helpers/registry.js";

/** The flibs side: its own small bundle (bench/promote.mjs), so the process loads only what `flibs promote` does. */
const CHILD = process.env.FLIBS_BENCH_CHILD ?? "";

const CLI = join(process.cwd(), "bin", "flibs.js");
const CLI_BUILT = existsSync(join(process.cwd(), "dist", "flibs-cli", "main.js"));

const SKOPEO_CACHES = [
  "/var/lib/containers/cache/blob-info-cache-v1.boltdb",
  "/var/lib/containers/cache/blob-info-cache-v1.sqlite",
  join(process.env.HOME ?? "/root", ".local/share/containers/cache/blob-info-cache-v1.boltdb"),
  join(process.env.HOME ?? "/root", ".local/share/containers/cache/blob-info-cache-v1.sqlite"),
];

interface RunResult {
  ms: number;
  child?: ChildResult;
}

function runProcess(cmd: string, args: string[]): Promise<{ ms: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const p = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      if (process.env.BENCH_TRACE) process.stderr.write(d);
    });
    p.on("error", reject);
    p.on("exit", (code) => {
      const ms = performance.now() - started;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(" ")} exited ${code}: ${stderr.slice(-2000)}`));
      else resolve({ ms, stdout });
    });
  });
}

async function runFlibs(source: string, destination: string): Promise<RunResult> {
  const flags = process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(" ") : [];
  const { ms, stdout } = await runProcess(process.execPath, [...flags, CHILD, source, destination]);
  return { ms, child: JSON.parse(stdout) as ChildResult };
}

/** The real command line, `bin/flibs.js promote` (from dist/: needs `npm run build`), timed as a whole. */
async function runCli(source: string, destination: string): Promise<RunResult> {
  const { ms } = await runProcess(process.execPath, [CLI, "promote", source, destination, "--tag", "bench"]);
  return { ms };
}

async function runSkopeo(source: string, destination: string): Promise<RunResult> {
  for (const f of SKOPEO_CACHES) await rm(f, { force: true });
  const { ms } = await runProcess("skopeo", [
    "--insecure-policy",
    "copy",
    "--all",
    "--preserve-digests",
    "--src-tls-verify=false",
    "--dest-tls-verify=false",
    "-q",
    `docker://${source}`,
    `docker://${destination}:bench`,
  ]);
  return { ms };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;

async function scenario(
  name: string,
  source: string,
  destRegistry: TestRegistry,
  runs: number,
  goal: number,
  expectBytes: (b: number) => boolean,
) {
  const flibs: RunResult[] = [];
  const skopeo: RunResult[] = [];
  const cli: RunResult[] = [];
  for (let i = 0; i < runs; i++) {
    // In turn, so neither tool always runs on a warmer page cache.
    const tools = CLI_BUILT ? ["flibs", "skopeo", "cli"] : ["flibs", "skopeo"];
    const order = i % 2 === 0 ? tools : [...tools].reverse();
    for (const tool of order) {
      const dest = `${destRegistry.host}/${name}/${tool}-${i}`;
      if (tool === "flibs") flibs.push(await runFlibs(source, dest));
      else if (tool === "cli") cli.push(await runCli(source, dest));
      else skopeo.push(await runSkopeo(source, dest));
    }
  }
  const f = median(flibs.map((r) => r.ms));
  const s = median(skopeo.map((r) => r.ms));
  const last = flibs.at(-1)!.child!;
  const ratio = f / s;
  console.log(`\n${name}: ${runs} runs each, medians`);
  console.log(
    `  flibs   ${f.toFixed(0).padStart(6)} ms  (in-process ${median(flibs.map((r) => r.child!.ms)).toFixed(0)} ms; ` +
      `blob bytes through client ${mb(last.bytesThroughClient)}, requests ${last.requests}, mounted ${last.mounted}, streamed ${last.streamed}, peak RSS ${last.maxRssMb.toFixed(0)} MB, ` +
      `CPU ${last.cpuMs.toFixed(0)} ms, Node start ${median(flibs.map((r) => r.child!.bootMs)).toFixed(0)} ms${last.undici ? ", undici LOADED" : ""})`,
  );
  console.log(`  skopeo  ${s.toFixed(0).padStart(6)} ms`);
  if (cli.length) {
    const c = median(cli.map((r) => r.ms));
    console.log(`  CLI     ${c.toFixed(0).padStart(6)} ms  (bin/flibs.js promote as built in dist/: ${(c / s).toFixed(2)}x skopeo)`);
  } else {
    console.log("  CLI     not timed (run `npm run build` to time bin/flibs.js promote too)");
  }
  console.log(
    `  ratio   ${ratio.toFixed(2)}x skopeo (goal <= ${goal}x) ${ratio <= goal && expectBytes(last.bytesThroughClient) ? "MET" : "NOT MET"}`,
  );
  return { f, s, ratio, last };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const rss = argv.includes("--rss");
  if (!CHILD) throw new Error("run the benchmark through bench/promote.mjs (npm run bench:promote)");
  const runs = Number(process.env.BENCH_RUNS ?? (rss ? 1 : 5));
  const totalMb = Number(process.env.BENCH_MB ?? (rss ? 1024 : 100));
  const layersPerPlatform = rss ? 4 : 2;
  const layerSize = Math.round((totalMb * 1024 * 1024) / (2 * layersPerPlatform));
  const work = await mkdtemp(join(tmpdir(), "flibs-bench-layout-"));
  const [a, b] = await Promise.all([startRegistry(), startRegistry()]);
  const cleanup = async (): Promise<void> => {
    await Promise.all([a.stop(), b.stop()]);
    await rm(work, { recursive: true, force: true });
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGPIPE"] as const) {
    process.once(signal, () => void cleanup().finally(() => process.exit(130)));
  }
  process.stdout.on("error", () => void cleanup().finally(() => process.exit(1)));
  try {
    const t0 = performance.now();
    const layout = await writeOciLayout(work, { layersPerPlatform, layerSize });
    const source = `${a.host}/bench/src@${layout.indexDigest}`;
    await pushLayout(work, `${a.host}/bench/src:1`);
    console.log(
      `source: 2-arch index ${layout.indexDigest}, ${mb(layout.blobBytes)} of blobs (${2 * layersPerPlatform} layers), ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    console.log(`tools: node ${process.version}, ${(await runProcess("skopeo", ["--version"])).stdout.trim()}`);
    if (process.env.BENCH_WARM) {
      console.log((await runProcess(process.execPath, [CHILD, "--warm", source, `${a.host}/warm/x`])).stdout);
    }
    if (rss) {
      const r = await scenario("across-1g", source, b, runs, 1.0, () => true);
      console.log(
        `  peak RSS of flibs for ${mb(layout.blobBytes)} across registries: ${r.last.maxRssMb.toFixed(0)} MB (goal < 128 MB) ${r.last.maxRssMb < 128 ? "MET" : "NOT MET"}`,
      );
      return;
    }
    await scenario("within", source, a, runs, 0.2, (bytes) => bytes === 0);
    await scenario("across", source, b, runs, 1.0, () => true);
  } finally {
    await cleanup();
  }
}

main().catch((e: unknown) => {
  console.error(`bench:promote failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
