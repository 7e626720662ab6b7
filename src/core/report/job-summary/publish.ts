import type { ComponentDrift } from "../../build/drift.js";
import { escapeText, inlineCode, joinMarkdown, table, trusted } from "../../markdown.js";
import { sortArches, type Arch } from "../../platform.js";
import { formatSize } from "../build-summary.js";
import { failureBlock, nextBlock } from "./failure.js";
import { stepsTable } from "./steps.js";
import type { JobFailure, JobOutcome, JobStep } from "./types.js";

/** What publish found of one arch's installed packages. */
export interface PackageRead {
  db: "dpkg" | "apk" | "rpm" | "none";
  /** Packages read; absent when no database could be read. */
  count?: number;
  /** Why none was read (no database, rpm missing on the runner, a layer flibs cannot read). */
  note?: string;
}

export interface PublishJob {
  /** `host/repository` the index goes to. */
  repository: string;
  steps: readonly JobStep[];
  arches: ReadonlyArray<{ arch: Arch; digest: string; size: number; packages: PackageRead }>;
  index?: { digest: string; tags: readonly string[]; record?: string };
  drift?: readonly ComponentDrift[];
  driftPolicy: "warn" | "fail";
}

/**
 * Whether installed packages were compared between arches, and what came of it. "Agree" is said only when a
 * package database was read for every arch and there are two or more.
 */
export function packageComparison(arches: PublishJob["arches"], drift: readonly ComponentDrift[], policy: "warn" | "fail"): string[] {
  const read = arches.filter((a) => a.packages.count !== undefined);
  const unread = arches.filter((a) => a.packages.count === undefined);
  const why = (a: PublishJob["arches"][number]) => `${a.arch} (${escapeText(a.packages.note ?? "no package database")})`;
  const out: string[] = [];
  if (read.length === 0) {
    out.push(
      `Packages were not compared: no package database was read for ${unread.length > 1 ? "any arch" : "the arch"}: ${unread.map(why).join(", ")}.`,
    );
    return out;
  }
  if (unread.length) out.push(`Packages were not compared for ${unread.map(why).join(", ")}.`);
  if (read.length === 1) {
    out.push(
      `Only ${read[0]!.arch} has a package database (${read[0]!.packages.db}, ${read[0]!.packages.count} packages): there is no other arch to compare it with.`,
    );
    return out;
  }
  const names = read.map((a) => a.arch).join(", ");
  if (drift.length === 0) {
    out.push(
      `Installed packages ${unread.length ? `of ${names} ` : ""}agree across arches (${read.map((a) => `${a.arch}: ${a.packages.count} from ${a.packages.db}`).join("; ")}).`,
    );
    return out;
  }
  const columns = sortArches([...new Set(drift.flatMap((d) => Object.keys(d.versions)))] as Arch[]);
  out.push(
    `**Component drift** (${drift.length} package${drift.length === 1 ? "" : "s"} differ${drift.length === 1 ? "s" : ""} between arches; policy: ${policy}):`,
    table(
      ["package", ...columns.map((a) => trusted(a))],
      drift.map((d) => [d.name, ...columns.map((a) => d.versions[a] ?? "not installed")]),
    ),
  );
  return out;
}

/**
 * The arches to build again: for each package, those whose version differs from the one most arches have (all
 * of them when no version has a majority, as with two arches).
 */
export function driftArches(drift: readonly ComponentDrift[]): Arch[] {
  const out = new Set<Arch>();
  for (const d of drift) {
    const entries = Object.entries(d.versions) as Array<[Arch, string]>;
    const counts = new Map<string, number>();
    for (const [, v] of entries) counts.set(v, (counts.get(v) ?? 0) + 1);
    const top = Math.max(...counts.values());
    const majority = [...counts].filter(([, n]) => n === top);
    const keep = majority.length === 1 && top > entries.length / 2 ? majority[0]![0] : undefined;
    for (const [a, v] of entries) if (v !== keep) out.add(a);
  }
  return sortArches([...out]);
}

export function publishNextSteps(f: JobFailure, drift: readonly ComponentDrift[]): string[] {
  if (f.code === "policy" && drift.length) {
    const retest = inlineCode(`/retest ${driftArches(drift).join(" ")}`);
    return [
      `The arches installed different versions of ${drift.length === 1 ? "a package" : `${drift.length} packages`}, usually because a mirror was behind: comment ${retest} on the pull request to build the arches that differ again, or pin the versions in the ${inlineCode("Dockerfile")}.`,
      `To accept drift, the organisation's policy can say ${inlineCode("component_drift: warn")}.`,
    ];
  }
  if (f.code === "not-found")
    return [
      `An arch's image is missing: look at its build job; comment ${inlineCode("/retest <arch>")} on the pull request to build it again.`,
    ];
  if (f.code === "usage")
    return [
      `The workflow called the Action with inputs it cannot use: a problem of the flibs setup (the caller workflow or the App), not of the pull request. Tell the organisation's flibs admins.`,
    ];
  if (f.code === "auth" || f.code === "registry") {
    return [
      `This is not the pull request's problem: the candidate registry refused or failed a request. If the output says unauthorized or denied, the organisation's flibs admins check the registry credentials the workflow passes.`,
      `Then comment ${inlineCode("/build")} on the pull request.`,
    ];
  }
  return [
    `If it may be a glitch, comment ${inlineCode("/build")} on the pull request; if it fails the same way again, report it to the flibs maintainers with this summary.`,
  ];
}

function heading(job: PublishJob, outcome: JobOutcome): string {
  const what = `flibs publish ${inlineCode(job.repository)}`;
  if (outcome.kind === "cancelled") return `### 🚫 ${what} was cancelled`;
  if (outcome.kind === "failure") {
    const drift = outcome.failure.code === "policy" && (job.drift?.length ?? 0) > 0;
    return `### ❌ ${what}${drift ? ": package versions differ between arches, index not tagged" : ` failed${outcome.failure.step ? ` at ${escapeText(outcome.failure.step)}` : ""}`}`;
  }
  return `### ${job.drift?.length ? "⚠️" : "✅"} ${what}: index pushed${job.drift?.length ? ", package versions differ between arches" : ""}`;
}

/** The job summary of publish, whatever happened. */
export function publishJobSummary(job: PublishJob, outcome: JobOutcome): string {
  const drift = job.drift ?? [];
  const blocks: string[] = [heading(job, outcome)];
  // Drift the policy fails on: the drift table is what says why, so it comes before what to do.
  const driftFailed = outcome.kind === "failure" && outcome.failure.code === "policy" && drift.length > 0;
  const comparison = job.drift && job.arches.length ? packageComparison(job.arches, drift, job.driftPolicy) : [];
  if (outcome.kind === "failure") {
    const f = outcome.failure;
    blocks.push(
      ...(driftFailed
        ? [
            `**Failed:** the index was not tagged: the policy says ${inlineCode("component_drift: fail")}.`,
            ...comparison,
            ...nextBlock(publishNextSteps(f, drift)),
          ]
        : failureBlock(f, publishNextSteps(f, drift))),
    );
  }
  if (outcome.kind === "cancelled")
    blocks.push(
      `The runner stopped this job (${escapeText(outcome.signal)}). To publish again, comment ${inlineCode("/build")} on the pull request.`,
    );
  if (job.index) {
    const ref = `${job.repository}@${job.index.digest}`;
    const tagged = job.index.tags.length ? `tagged ${job.index.tags.map((t) => inlineCode(t)).join(", ")}` : "not tagged";
    blocks.push(`Index ${inlineCode(ref)} ${tagged}${job.index.record ? `; build record ${inlineCode(job.index.record)}` : ""}.`);
    if (job.index.tags.length) blocks.push(inlineCode(`podman pull ${ref}`));
  }
  if (!driftFailed) blocks.push(...comparison);
  if (job.arches.length) {
    blocks.push(
      table(
        ["arch", "digest", "size", "packages"],
        job.arches.map((a) => [
          trusted(a.arch),
          trusted(inlineCode(a.digest)),
          formatSize(a.size),
          a.packages.count !== undefined ? `${a.packages.count} (${a.packages.db})` : "none read",
        ]),
      ),
    );
  }
  blocks.push("**Steps**", stepsTable(job.steps, outcome));
  return `${joinMarkdown(blocks)}\n`;
}
