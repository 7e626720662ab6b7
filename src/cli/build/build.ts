import { resolve } from "node:path";
import { buildArch, publish, selectBuilder, parseBuilderChoice, type ArchBuildResult } from "../../builder/index.js";
import { plannedArches } from "../../core/config/index.js";
import { FlibsError } from "../../core/errors.js";
import { formatSize } from "../../core/report/build-summary.js";
import type { CliIo } from "../io.js";
import { createProgress, outputMode } from "../progress/progress.js";
import { builderSteps } from "./builder-output.js";
import { cliClient, parsePlatforms, readConfig, readPolicy } from "./common.js";
import { buildReport, buildTable } from "./report.js";
import { openTarget } from "./target.js";

/** Digests in progress lines: enough to tell them apart; the final table has them whole. */
const short = (digest: string) => digest.slice(0, 19);

export interface BuildCliOptions {
  dir: string;
  push?: string;
  output?: string;
  platforms?: string;
  policy?: string;
  allowBase: string[];
  insecure: string[];
  builder: string;
  test: boolean;
  verbose?: boolean;
  quiet?: boolean;
  json?: boolean;
  root?: string;
  runroot?: string;
  storageDriver?: string;
}

/**
 * `flibs build`: each arch built on its own, in the fixed order, then one index and its build record,
 * pushed (`--push`) or written to an OCI layout on disk (the default); prints the index digest.
 */
export async function runBuild(o: BuildCliOptions, io: CliIo): Promise<number> {
  const dir = resolve(io.cwd, o.dir);
  const config = await readConfig(dir);
  const policy = await readPolicy(o.policy ? resolve(io.cwd, o.policy) : undefined);
  const arches = o.platforms ? parsePlatforms(o.platforms) : plannedArches(config, policy);
  if (arches.length === 0) throw new FlibsError("config", "no arch to build: container.yaml's platforms leave none of the policy's arches");
  const { client, insecure } = await cliClient(io, o.insecure);
  const target = await openTarget(o, { cwd: io.cwd, dir, config, client });
  const progress = createProgress(outputMode(o, io), io);
  try {
    const builder = await selectBuilder(parseBuilderChoice(o.builder), {
      ...(o.root ? { root: resolve(io.cwd, o.root) } : {}),
      ...(o.runroot ? { runroot: resolve(io.cwd, o.runroot) } : {}),
      ...(o.storageDriver ? { storageDriver: o.storageDriver } : {}),
    });
    for (const arch of arches) progress.status(arch, `${arch.padEnd(8)} waiting`);
    progress.status("index", `${"index".padEnd(8)} waiting`);
    const results: ArchBuildResult[] = [];
    let failedTests = 0;
    try {
      for (const arch of arches) {
        const show = (text: string) => progress.event(arch, `${arch.padEnd(8)} ${text}`, true);
        show(`building with ${builder.name}`);
        const steps = builderSteps(show);
        const r = await buildArch({
          contextDir: dir,
          config,
          arch,
          plannedArches: arches,
          repository: target.repository,
          ...(target.layout ? { layout: target.layout } : {}),
          source: `file://${dir}`,
          approvedRegistries: [...policy.approved_base_registries, ...o.allowBase],
          builder,
          client,
          insecure,
          runTests: o.test,
          log: (line) => progress.status(arch, `${arch.padEnd(8)} ${line}`, true),
          onOutput: (chunk) => {
            if (o.verbose) io.stderr(chunk);
            steps(chunk);
          },
        });
        for (const t of r.tests.filter((t) => !t.passed)) {
          failedTests++;
          progress.note(`${arch}: test ${t.name} failed: ${t.output.trim().split("\n").slice(-3).join(" / ")}`);
        }
        const tests = r.tests.length ? `, tests ${r.tests.filter((t) => t.passed).length}/${r.tests.length} passed` : "";
        progress.event(arch, `${arch.padEnd(8)} built ${short(r.digest)} (${formatSize(r.size)}, ${r.seconds.toFixed(1)} s${tests})`);
        results.push(r);
      }
    } finally {
      await builder.cleanup();
    }
    const first = results[0]!;
    progress.event("index", `${"index".padEnd(8)} reading packages, writing the index and build record`, true);
    const p = await publish({
      client: target.store,
      repository: target.repository,
      ...(target.recordImage ? { image: target.recordImage } : {}),
      sha: first.commit.sha,
      arches,
      digests: new Map(results.map((r) => [r.arch, r.digest])),
      tags: [target.tag],
      tree: first.commit.tree,
      sourceDateEpoch: first.commit.time,
      dockerfileDigest: first.dockerfileDigest,
      driftPolicy: policy.build.component_drift,
    });
    await target.finish(first.commit.sha, arches, first.commit.time);
    progress.event("index", `${"index".padEnd(8)} ${short(p.indexDigest)}, build record ${short(p.recordDigest)}`);
    for (const d of p.drift)
      progress.note(
        `component drift: ${d.name} ${Object.entries(d.versions)
          .map(([a, v]) => `${a}=${v}`)
          .join(" ")}`,
      );
    progress.close();
    const ok = failedTests === 0 && !p.failed;
    const result = `${target.reference}@${p.indexDigest}\n`;
    if (progress.mode === "json") io.stdout(`${JSON.stringify(buildReport(target, results, p, ok), null, 2)}\n`);
    else if (progress.mode === "quiet") io.stdout(result);
    else io.stdout(buildTable(results, p) + result);
    return ok ? 0 : 1;
  } finally {
    progress.close();
    await target.cleanup();
  }
}
