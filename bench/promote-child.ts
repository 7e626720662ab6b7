/**
 * The flibs side of the promotion benchmark: one `flibs promote` as the CLI runs it (credentials read
 * from the user's files, one client, the promotion), in a process that loads nothing else; stats as
 * JSON on stdout. Bundled on its own by bench/promote.mjs.
 *
 *   node promote-child.mjs SOURCE DESTINATION          one promotion
 *   node promote-child.mjs --warm SOURCE DESTINATION   twice in one process (the second with warm JIT and connections)
 */
import { homedir } from "node:os";
import { parseReference, parseRepository } from "../src/core/oci/reference.js";
import { RegistryClient } from "../src/registry/client.js";
import { credentialFilePaths, loadCredentials } from "../src/registry/credentials.js";
import { promote } from "../src/registry/promote.js";

export interface ChildResult {
  ms: number;
  digest: string;
  bytesThroughClient: number;
  requests: number;
  maxRssMb: number;
  cpuMs: number;
  /** From process start to the promotion's start. */
  bootMs: number;
  mounted: number;
  streamed: number;
  /** Whether Node's fetch stack was loaded (it costs ~100 ms of CPU; the client must not need it). */
  undici: boolean;
}

async function child(source: string, destination: string): Promise<ChildResult> {
  const started = performance.now();
  const client = new RegistryClient({
    credentials: await loadCredentials(credentialFilePaths(process.env, process.env.HOME ?? homedir())),
    ...(process.env.BENCH_TRACE
      ? {
          onResponse: (r: { method: string; url: string; status: number; ms: number }) =>
            process.stderr.write(
              `${(performance.now() - r.ms - started).toFixed(1).padStart(7)} +${r.ms.toFixed(1).padStart(6)} ${r.method} ${r.url.replace(/^https?:\/\/[^/]+/, "").slice(0, 90)} ${r.status}\n`,
            ),
        }
      : {}),
  });
  const report = await promote(client, {
    source: parseReference(source),
    destination: parseRepository(destination),
    tags: [{ tag: "bench", kind: "floating", reason: "bench" }],
    ...(process.env.BENCH_CONCURRENCY ? { concurrency: Number(process.env.BENCH_CONCURRENCY) } : {}),
  });
  const cpu = process.cpuUsage();
  return {
    ms: performance.now() - started,
    digest: report.digest,
    bytesThroughClient: client.stats.blobBytesDownloaded + client.stats.blobBytesUploaded,
    requests: client.stats.requests,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    cpuMs: (cpu.user + cpu.system) / 1000,
    bootMs: started,
    mounted: report.blobs.mounted,
    streamed: report.blobs.streamed,
    undici: (process as unknown as { moduleLoadList: string[] }).moduleLoadList.some((m) => m.includes("undici")),
  };
}

const argv = process.argv.slice(2);
const run = async (): Promise<void> => {
  if (argv[0] === "--warm") {
    process.stdout.write(`${JSON.stringify(await child(argv[1]!, `${argv[2]!}-cold`))}\n`);
    process.stdout.write(JSON.stringify(await child(argv[1]!, `${argv[2]!}-warm`)));
  } else {
    process.stdout.write(JSON.stringify(await child(argv[0]!, argv[1]!)));
  }
};
run().catch((e: unknown) => {
  process.stderr.write(`promote-child: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
