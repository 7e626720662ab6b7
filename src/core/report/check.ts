/**
 * A check run write as plain values: what a check module in the core decides, and the one check writer in
 * src/github/checks.ts sends (create or update, annotations in batches of 50, one truncation rule).
 */
import type { CheckAnnotation } from "./review-check.js";

export type CheckStatus = "queued" | "in_progress" | "completed";
export type CheckConclusion = "success" | "failure" | "neutral" | "cancelled" | "skipped" | "timed_out" | "action_required" | "stale";

export interface CheckWrite {
  name: string;
  externalId?: string;
  status: CheckStatus;
  /** Required when `status` is completed. */
  conclusion?: CheckConclusion;
  title: string;
  summary: string;
  detailsUrl?: string;
  startedAt?: string;
  completedAt?: string;
  annotations?: readonly CheckAnnotation[];
}

/** A write that changes only what it names on an existing check (status, link, times); the output stays. */
export type CheckPatch = Partial<Omit<CheckWrite, "name">> & { status: CheckStatus };
