import { resolve } from "node:path";
import { buildArch, publish, selectBuilder, parseBuilderChoice } from "../../builder/index.js";
import { plannedArches } from "../../core/config/index.js";
import { FlibsError } from "../../core/errors.js";
import { formatSize } from "../../core/report/build-summary.js";
import { parseReference } from "../../core/oci/reference.js";
import type { CliIo } from "../io.js";
import { cliClient, parsePlatforms, readConfig, readPolicy } from "./common.js";

export interface BuildCliOptions {
  dir: string;
  push: string;
  platforms?: string;
  policy?: string;
  allowBase: string[];
  insecure: string[];
  builder: string;
  test: boolean;
  verbose?: boolean;
  root?: string;
  runroot?: string;
  storageDriver?: string;
}

/** `flibs build`: each arch built on its own, in the fixed order, then one index; prints the index digest. */
export async function runBuild(o: BuildCliOptions, io: CliIo): Promise<number> {
  const dir = resolve(io.cwd, o.dir);
  const config = await readConfig(dir);
  const policy = await readPolicy(o.policy ? resolve(io.cwd, o.policy) : undefined);
  const arches = o.platforms ? parsePlatforms(o.platforms) : plannedArches(config, policy);
  if (arches.length === 0) throw new FlibsError("config", "no arch to build: container.yaml's platforms leave none of the policy's arches");
  const dest = parseReference(o.push);
  if (!dest.tag || dest.digest) throw new FlibsError("usage", "--push must be HOST/REPO:TAG");
  const { client, insecure } = await cliClient(io, o.insecure);
  const builder = await selectBuilder(parseBuilderChoice(o.builder), {
    ...(o.root ? { root: resolve(io.cwd, o.root) } : {}),
    ...(o.runroot ? { runroot: resolve(io.cwd, o.runroot) } : {}),
    ...(o.storageDriver ? { storageDriver: o.storageDriver } : {}),
  });
  const repository = { registry: dest.registry, repository: dest.repository };
  const results = [];
  let failedTests = 0;
  try {
    for (const arch of arches) {
      io.stderr(`building ${arch} with ${builder.name}...\n`);
      const r = await buildArch({
        contextDir: dir,
        config,
        arch,
        plannedArches: arches,
        repository,
        source: `file://${dir}`,
        approvedRegistries: [...policy.approved_base_registries, ...o.allowBase],
        builder,
        client,
        insecure,
        runTests: o.test,
        onOutput: o.verbose ? (c) => io.stderr(c) : undefined,
      });
      for (const t of r.tests.filter((t) => !t.passed)) {
        failedTests++;
        io.stderr(`${arch}: test ${t.name} failed: ${t.output.trim().split("\n").slice(-3).join(" / ")}\n`);
      }
      io.stdout(`${arch}\t${r.digest}\t${formatSize(r.size)}\t${r.seconds.toFixed(1)} s\n`);
      results.push(r);
    }
  } finally {
    await builder.cleanup();
  }
  const first = results[0]!;
  const p = await publish({
    client,
    repository,
    sha: first.commit.sha,
    arches,
    digests: new Map(results.map((r) => [r.arch, r.digest])),
    tags: [dest.tag],
    tree: first.commit.tree,
    sourceDateEpoch: first.commit.time,
    dockerfileDigest: first.dockerfileDigest,
    driftPolicy: policy.build.component_drift,
  });
  for (const d of p.drift) io.stderr(`component drift: ${d.name} ${Object.entries(d.versions).map(([a, v]) => `${a}=${v}`).join(" ")}\n`);
  io.stdout(`${dest.registry}/${dest.repository}:${dest.tag}@${p.indexDigest}\n`);
  return failedTests > 0 || p.failed ? 1 : 0;
}
