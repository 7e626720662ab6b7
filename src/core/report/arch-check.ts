import { codeBlock, escapeCell, inlineCode } from "../markdown.js";
import { archCheckName, externalId, formatBuildId, type BuildId } from "../plan/build-id.js";
import type { Arch } from "../platform.js";
import type { CheckConclusion, CheckStatus } from "./check.js";

/**
 * `flibs/build (<arch>)`: one arch's job of a build, as its `workflow_job` events and (once it failed) its
 * annotations tell it. It says what happened on that arch, where it stopped, the error lines, and what to do next;
 * its Re-run is `/retest <arch>`.
 */
export interface ArchJob {
  id: BuildId;
  arch: Arch;
  status: CheckStatus;
  conclusion?: CheckConclusion | null;
  htmlUrl?: string | null;
  runnerName?: string | null;
  /** The job's runs-on labels (what a queued job waits for). */
  labels?: readonly string[];
  steps?: ReadonlyArray<{ name: string; number: number; status: string; conclusion?: string | null }>;
  /** The job's failure annotations (`::error::` lines and GitHub's own), read once it failed. */
  errors?: readonly string[];
}

export const archCheck = { name: archCheckName, externalId: (id: BuildId, arch: Arch) => externalId(id, arch) };

/** Whether a job's conclusion is a failure whose error lines are worth reading (not passed, cancelled or skipped). */
export function failedConclusion(conclusion: string | null | undefined): boolean {
  return conclusion != null && conclusion !== "success" && conclusion !== "cancelled" && conclusion !== "skipped";
}

/** The failed step, as GitHub lists the job's steps (the first whose conclusion is failure). */
export function failedStep(job: Pick<ArchJob, "steps">): { name: string; number: number } | undefined {
  return job.steps?.find((s) => s.conclusion === "failure");
}

export function archCheckTitle(job: ArchJob): string {
  const step = failedStep(job);
  switch (job.status) {
    case "queued":
      return `${job.arch}: waiting for a runner${job.labels?.length ? ` (${job.labels.join(", ")})` : ""}`;
    case "in_progress":
      return `${job.arch}: building${job.runnerName ? ` on ${job.runnerName}` : ""}`;
    case "completed":
      switch (job.conclusion) {
        case "success":
          return `${job.arch}: built and tested`;
        case "cancelled":
          return `${job.arch}: cancelled`;
        case "timed_out":
          return `${job.arch}: timed out${step ? ` in “${step.name}”` : ""}`;
        case "skipped":
          return `${job.arch}: skipped`;
        default:
          return `${job.arch}: failed${step ? ` in “${step.name}”` : ""}`;
      }
  }
}

export function archCheckSummary(job: ArchJob): string {
  const head = `**${job.arch}** of build ${inlineCode(formatBuildId(job.id))}${job.htmlUrl ? ` · [job log](${encodeURI(job.htmlUrl)})` : ""}`;
  const lines = [head, ""];
  if (job.status !== "completed") {
    lines.push(
      job.status === "queued"
        ? `Waiting for a runner with the labels ${(job.labels ?? []).map((l) => inlineCode(l)).join(", ") || "of this arch"}.`
        : `Building${job.runnerName ? ` on ${inlineCode(job.runnerName)}` : ""}.`,
    );
    return lines.join("\n");
  }
  if (job.conclusion === "success") {
    lines.push(`✅ Built, pushed and tested on ${job.arch}.`);
    return lines.join("\n");
  }
  if (job.conclusion === "cancelled") {
    lines.push(`The job was cancelled. To build ${job.arch} again, comment ${inlineCode(`/retest ${job.arch}`)}.`);
    return lines.join("\n");
  }
  const step = failedStep(job);
  lines.push(
    `❌ ${step ? `Failed in step ${step.number}, ${inlineCode(step.name)}` : "Failed"}${job.conclusion === "timed_out" ? " (it ran out of time)" : ""}.`,
  );
  const errors = (job.errors ?? []).filter((e) => e.trim() !== "");
  if (errors.length) lines.push("", codeBlock(errors.join("\n")));
  lines.push(
    "",
    `**Next:** if the error is in the Dockerfile or an image test, fix it and push; the build runs again. If it is the runner's (a lost connection, a full disk), comment ${inlineCode(`/retest ${job.arch}`)} or use Re-run on this check: only ${job.arch} is built again.`,
  );
  return lines.join("\n");
}

/** The text a finished arch is listed with in `flibs/build`'s table. */
export function archResultCell(conclusion: string | null | undefined): string {
  if (!conclusion) return "no result";
  return escapeCell(conclusion === "success" ? "passed" : conclusion === "failure" ? "failed" : conclusion);
}
