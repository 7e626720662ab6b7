import type { ArchBuildResult, PublishResult } from "../../builder/index.js";
import { formatSize } from "../../core/report/build-summary.js";
import { formatTable } from "../output/table.js";
import type { BuildTarget } from "./target.js";

/** The table `flibs build` ends with: one row per arch, then the index and its build record. */
export function buildTable(results: readonly ArchBuildResult[], p: PublishResult): string {
  const tests = (r: ArchBuildResult) => (r.tests.length ? `${r.tests.filter((t) => t.passed).length}/${r.tests.length} passed` : "-");
  return formatTable([
    ["arch", "digest", "size", "time", "tests"],
    ...results.map((r) => [r.arch, r.digest, formatSize(r.size), `${r.seconds.toFixed(1)} s`, tests(r)]),
    ["index", p.indexDigest, formatSize(p.indexSize), "", ""],
    ["record", p.recordDigest, "", "", ""],
  ]);
}

/** `flibs build --json`: one document with everything the table and the result line say. */
export function buildReport(target: BuildTarget, results: readonly ArchBuildResult[], p: PublishResult, ok: boolean) {
  return {
    ok,
    reference: `${target.reference}@${p.indexDigest}`,
    output: target.kind === "registry" ? { kind: "registry" } : { kind: target.kind, path: target.path },
    digest: p.indexDigest,
    record: p.recordDigest,
    commit: results[0]?.commit.sha,
    arches: results.map((r) => ({
      arch: r.arch,
      digest: r.digest,
      size: r.size,
      seconds: Number(r.seconds.toFixed(1)),
      tests: r.tests.map((t) => ({ name: t.name, passed: t.passed })),
    })),
    drift: p.drift,
  };
}
