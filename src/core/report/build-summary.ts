import type { Arch } from "../platform.js";
import { codeBlock, escapeCell, inlineCode, tableCell } from "../markdown.js";
import { archResultCell } from "./arch-check.js";
import { formatIndexMarker, isIndexDigest } from "./index-marker.js";

export interface ArchResult {
  arch: Arch;
  /** The arch's job conclusion, if its check run completed. */
  conclusion?: string | null;
  /** The tested digest its job reported (or, kept by a retest, the earlier attempt's) and its image size. */
  digest?: string;
  size?: number;
  jobUrl?: string | null;
  /** Where a failed job stopped, and its error lines (the job's failure annotations). */
  failedStep?: string;
  errors?: readonly string[];
}

export interface BuildSummary {
  conclusion: "success" | "failure";
  title: string;
  text: string;
  missing: Arch[];
  failed: Arch[];
}

/** Something that kept the build from being recorded, and whose it is to fix. */
export interface BuildProblem {
  text: string;
  /** True for flibs' own setup (registry credentials, the policy, a registry down): never the pull request's doing. */
  setup: boolean;
}

/**
 * Closes `flibs/build`: every planned arch must have succeeded and be in the index read back from the registry,
 * and the run must have succeeded; anything else is named, so "3 of 4 arches" can never pass as a build. The
 * text says what happened, why, and the next command; the index is shown exactly as it is copied, with a pull
 * line.
 */
export function summarizeBuild(args: {
  planned: readonly Arch[];
  results: readonly ArchResult[];
  indexDigest?: string;
  /** The repository the index is in (`host/path`), for its reference and pull line. */
  indexRef?: string;
  runConclusion?: string | null;
  runUrl?: string;
  /** What the publish job did (undefined: it never ran, as when an arch failed). */
  publish?: { conclusion: string | null };
  problem?: BuildProblem;
}): BuildSummary {
  const byArch = new Map(args.results.map((r) => [r.arch, r]));
  const failed = args.planned.filter((a) => {
    const c = byArch.get(a)?.conclusion;
    return c !== undefined && c !== null && c !== "success";
  });
  const unreported = args.planned.filter((a) => !failed.includes(a) && byArch.get(a)?.conclusion !== "success");
  const missing = args.planned.filter((a) => !byArch.get(a)?.digest);
  const runFailed = args.runConclusion !== undefined && args.runConclusion !== "success";
  const verified = args.indexDigest !== undefined && isIndexDigest(args.indexDigest) && missing.length === 0;
  const ok = failed.length === 0 && unreported.length === 0 && !runFailed && verified && !args.problem;
  const ref = args.indexRef && args.indexDigest ? `${args.indexRef}@${args.indexDigest}` : undefined;

  const rows = [
    "| arch | result | digest | size | job |",
    "| --- | --- | --- | --- | --- |",
    ...args.planned.map((a) => {
      const r = byArch.get(a);
      const result = r?.failedStep ? `failed in ${tableCell(inlineCode(r.failedStep))}` : archResultCell(r?.conclusion);
      const digest = r?.digest ? tableCell(inlineCode(r.digest)) : "";
      return `| ${a} | ${result} | ${digest} | ${r?.size !== undefined ? formatSize(r.size) : ""} | ${r?.jobUrl ? `[log](${encodeURI(r.jobUrl)})` : ""} |`;
    }),
  ];
  const text: string[] = [];
  if (ok) text.push(`✅ Built and tested on ${args.planned.join(", ")}.`);
  else if (failed.length) text.push(`❌ The build failed on ${failed.join(", ")}.`);
  else if (unreported.length)
    text.push(`❌ No job result for ${unreported.join(", ")}: the run ended ${args.runConclusion ?? "without a conclusion"}.`);
  else if (args.problem)
    text.push(
      args.problem.setup
        ? "⚠️ Every arch was built and tested, but flibs could not record the build."
        : `❌ Every arch was built and tested, but ${escapeCell(args.problem.text, 500)}.`,
    );
  else text.push(`❌ The run ended ${escapeCell(args.runConclusion ?? "without a conclusion")}.`);
  text.push("", ...rows, "");
  if (ok && ref) text.push(`**Index** ${inlineCode(ref, 1000)}`, "", "```sh", `podman pull ${ref}`, "```");
  for (const a of failed) {
    const r = byArch.get(a)!;
    const errors = (r.errors ?? []).filter((e) => e.trim() !== "");
    if (errors.length)
      text.push(`**${a}**${r.failedStep ? ` · ${inlineCode(r.failedStep)}` : ""}`, "", codeBlock(errors.join("\n"), 8), "");
  }
  if ((failed.length || unreported.length) && !args.publish)
    text.push("No index was published: flibs publishes one only when every arch passed.", "");
  // A problem of the PR's own is the headline already, unless an arch failure is.
  if (args.problem && (args.problem.setup || failed.length || unreported.length)) {
    text.push(
      args.problem.setup
        ? `This is not the pull request's doing: ${escapeCell(args.problem.text, 1000)}. flibs' operators fix it (the App's registry access, the organisation policy); then comment ${inlineCode("/build")}.`
        : `${escapeCell(sentence(args.problem.text), 1000)}.`,
      "",
    );
  }
  // Every arch passed, so a /retest has nothing to rebuild: a new attempt builds and publishes again.
  if (args.problem && !args.problem.setup && !failed.length && !unreported.length) {
    text.push(
      `**Next:** the publish job's log${args.runUrl ? ` in the [run](${encodeURI(args.runUrl)})` : ""} says why; once that is fixed, comment ${inlineCode("/build")} to build and publish again.`,
      "",
    );
  }
  if (failed.length || unreported.length) {
    const again = [...failed, ...unreported];
    text.push(
      `**Next:** fix the Dockerfile or the image test and push, or, if it was the runner's doing, comment ${inlineCode(`/retest ${again.join(" ")}`)} (Re-run on this check does the same): only ${again.length === 1 ? "that arch is" : "those arches are"} built again, the others keep their tested images.`,
      "",
    );
  }
  if (args.runUrl) text.push(`[Run](${encodeURI(args.runUrl)})`);
  // Promotion reads the tested digest back from here (src/core/report/index-marker.ts).
  if (ok && args.indexDigest) text.push(formatIndexMarker(args.indexDigest));

  const step = failed.length === 1 ? byArch.get(failed[0]!)?.failedStep : undefined;
  const title = ok
    ? `Built and tested: ${args.planned.join(", ")}`
    : failed.length
      ? `Failed on ${failed.join(", ")}${step ? ` in “${step}”` : ""}`
      : unreported.length
        ? `No result from ${unreported.join(", ")}`
        : args.problem
          ? args.problem.setup
            ? "Built, but not recorded: flibs' setup needs attention"
            : `Built and tested, but ${args.problem.text}`
          : `The run ended ${args.runConclusion ?? "without a conclusion"}`;
  return {
    conclusion: ok ? "success" : "failure",
    title: title.slice(0, 255),
    text: text
      .join("\n")
      .replace(/\n{3,}/g, "\n\n")
      .trim(),
    missing,
    failed,
  };
}

function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}
