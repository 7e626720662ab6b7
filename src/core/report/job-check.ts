/** What a `workflow_job` event says about one arch's job, reduced to what its check run needs. */
export interface JobEvent {
  action: "queued" | "waiting" | "in_progress" | "completed";
  conclusion?: string | null;
  htmlUrl?: string | null;
  startedAt?: string | null;
  completedAt?: string | null;
}

export interface CheckState {
  status: "queued" | "in_progress" | "completed";
  conclusion?: string | null;
}

export type CheckConclusion = "success" | "failure" | "cancelled" | "skipped" | "timed_out" | "neutral" | "action_required" | "stale";

export interface CheckUpdate {
  status: "queued" | "in_progress" | "completed";
  conclusion?: CheckConclusion;
  details_url?: string;
  started_at?: string;
  completed_at?: string;
}

const ORDER = { queued: 0, in_progress: 1, completed: 2 } as const;

const CONCLUSIONS: Record<string, CheckConclusion> = {
  success: "success",
  failure: "failure",
  cancelled: "cancelled",
  skipped: "skipped",
  timed_out: "timed_out",
  neutral: "neutral",
  action_required: "action_required",
};

/**
 * The check-run update a job event calls for, or `undefined` when it would change nothing or move the check
 * backwards (deliveries come at least once and out of order: a late `in_progress` never reopens a finished check).
 */
export function jobCheckUpdate(current: CheckState, event: JobEvent): CheckUpdate | undefined {
  const status = event.action === "waiting" ? "queued" : event.action;
  if (ORDER[status] <= ORDER[current.status]) return undefined; // a completed check is final for its attempt
  const update: CheckUpdate = { status };
  if (event.htmlUrl) update.details_url = event.htmlUrl;
  if (status !== "queued" && event.startedAt) update.started_at = event.startedAt;
  if (status === "completed") {
    update.conclusion = CONCLUSIONS[event.conclusion ?? ""] ?? "failure";
    if (event.completedAt) update.completed_at = event.completedAt;
  }
  return update;
}
