import { table, trusted } from "../../markdown.js";
import type { JobOutcome, JobStep } from "./types.js";

/** `0.4 s`, `12.3 s`, `2 min 05 s`: a step's own duration. */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, "0")} s`;
}

function result(step: JobStep, outcome: JobOutcome): string {
  switch (step.result) {
    case "done":
      return `✅ ${step.label ?? "done"}`;
    case "failed":
      return `❌ ${step.label ?? "failed"}`;
    case "skipped":
      return `⚠️ ${step.label ?? "skipped"}`;
    case "running":
      return outcome.kind === "cancelled" ? "🚫 cancelled" : "❌ stopped";
    case "not run":
      return "not run";
  }
}

/** The steps table: each step, how it ended, and the time it took itself. */
export function stepsTable(steps: readonly JobStep[], outcome: JobOutcome): string {
  return table(
    ["step", "result", "time"],
    // Step names are flibs' own (`read x86_64`): shown as written.
    steps.map((s) => [trusted(s.name), result(s, outcome), s.seconds === undefined ? "" : formatDuration(s.seconds)]),
  );
}
