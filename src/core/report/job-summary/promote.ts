import { escapeText, inlineCode, joinMarkdown, table, trusted } from "../../markdown.js";
import type { Arch } from "../../platform.js";
import { formatBytes, type PromotionReport } from "../../promote/report.js";
import { formatSize } from "../build-summary.js";
import { failureBlock } from "./failure.js";
import { stepsTable } from "./steps.js";
import type { JobFailure, JobOutcome, JobStep } from "./types.js";

export type Signature = { signed: true; how: string } | { signed: false; why: string };

export interface PromoteJob {
  /** `host/repository` promoted to. */
  destination: string;
  /** The git ref promoted (`refs/tags/v1.2.3`, `refs/heads/main`). */
  gitRef?: string;
  steps: readonly JobStep[];
  report?: PromotionReport;
  arches: ReadonlyArray<{ arch: Arch; digest: string; size: number }>;
  signature?: Signature;
}

const isRelease = (ref: string | undefined) => ref?.startsWith("refs/tags/") ?? false;

export function promoteNextSteps(f: JobFailure): string[] {
  const again = `comment ${inlineCode("/promote")} on the merged pull request`;
  switch (f.code) {
    case "usage":
      return [
        `This job copies only what the flibs App asked for (a run it dispatched names the promotion, ref and digest): promotions start from a merge, a release or ${inlineCode("/promote")}, never from a run started by hand.`,
        `If the App did start it, the caller workflow (${inlineCode("flibs-promote.yml")}) or ${inlineCode("FLIBS_APP_ID")} is set up wrong: tell the organisation's flibs admins.`,
      ];
    case "refused":
      return [`Nothing was copied. A release tag never moves to another digest: release a new version instead.`];
    case "auth":
    case "registry":
      return [
        `This is not the pull request's problem: a registry refused or failed a request. For the stable registry the credentials are the environment's secrets ${inlineCode("FLIBS_STABLE_USERNAME")} and ${inlineCode("FLIBS_STABLE_PASSWORD")}: the organisation's flibs admins check them.`,
        `Then ${again}.`,
      ];
    default:
      return [`If it may be a glitch, ${again}; if it fails the same way again, report it to the flibs maintainers with this summary.`];
  }
}

function heading(job: PromoteJob, outcome: JobOutcome): string {
  const what = `flibs promote ${inlineCode(job.destination)}${job.gitRef ? ` (${inlineCode(job.gitRef)})` : ""}`;
  if (outcome.kind === "cancelled") return `### 🚫 ${what} was cancelled`;
  if (outcome.kind === "failure") return `### ❌ ${what} failed${outcome.failure.step ? ` at ${escapeText(outcome.failure.step)}` : ""}`;
  const unsigned = job.signature && !job.signature.signed && isRelease(job.gitRef);
  return `### ${unsigned ? "⚠️" : "✅"} ${what}${unsigned ? ": promoted, not signed" : ": promoted"}`;
}

function tagsTable(r: PromotionReport): string {
  return table(
    ["tag", "kind", "written"],
    r.tags.map((t) => [
      trusted(inlineCode(t.tag)),
      t.kind,
      t.action === "move" ? trusted(`moved from ${inlineCode(t.from ?? "")}`) : t.action === "create" ? "created" : "already there",
    ]),
  );
}

function copied(r: PromotionReport): string {
  const m = r.manifests;
  const b = r.blobs;
  const refs =
    r.referrers.copied + r.referrers.skipped > 0
      ? `; referrers (build record, signatures): ${r.referrers.copied} copied, ${r.referrers.skipped} already there`
      : "";
  return `Copied from ${inlineCode(r.source)}: manifests ${m.copied} copied, ${m.skipped} already there; blobs ${b.mounted} mounted, ${b.streamed} streamed (${formatBytes(b.bytesStreamed)}), ${b.skipped} already there${refs}.`;
}

function signature(job: PromoteJob): string[] {
  const s = job.signature;
  if (!s) return [];
  if (s.signed) return [`✅ Signed ${escapeText(s.how)}.`];
  return isRelease(job.gitRef)
    ? [
        `> ⚠️ **Release not signed**: ${escapeText(s.why)}. A release should be signed: install cosign on the promote runner (${inlineCode("runner_labels.promote")}) and promote again.`,
      ]
    : [`Image not signed: ${escapeText(s.why)}.`];
}

/** The job summary of a promotion, whatever happened. */
export function promoteJobSummary(job: PromoteJob, outcome: JobOutcome): string {
  const blocks: string[] = [heading(job, outcome)];
  if (outcome.kind === "failure") blocks.push(...failureBlock(outcome.failure, promoteNextSteps(outcome.failure)));
  if (outcome.kind === "cancelled")
    blocks.push(
      `The runner stopped this job (${escapeText(outcome.signal)}). Tags are written only after the copy is verified, so none points at a partial copy. To promote again, comment ${inlineCode("/promote")} on the merged pull request.`,
    );
  blocks.push(...signature(job));
  const r = job.report;
  if (r) {
    blocks.push(inlineCode(`podman pull ${r.destination}@${r.digest}`));
    if (r.tags.length) blocks.push(tagsTable(r));
    blocks.push(copied(r));
  }
  if (job.arches.length)
    blocks.push(
      table(
        ["arch", "digest", "size"],
        job.arches.map((a) => [trusted(a.arch), trusted(inlineCode(a.digest)), formatSize(a.size)]),
      ),
    );
  blocks.push("**Steps**", stepsTable(job.steps, outcome));
  return `${joinMarkdown(blocks)}\n`;
}
