import { jobCheckUpdate, type CheckState, type CheckUpdate, type JobEvent } from "./job-check.js";

/** One copy of an arch's check run (replicas may each have created one for the same job). */
export interface JobCheckCopy {
  id: number;
  status: CheckState["status"];
  conclusion?: string | null;
}

const STATUS_ORDER: Record<CheckState["status"], number> = { queued: 0, in_progress: 1, completed: 2 };

/** The state a job's check is created in for its first event (normally `queued`). */
export function firstJobCheckState(event: JobEvent): CheckUpdate {
  return jobCheckUpdate({ status: "queued" }, event) ?? { status: "queued" };
}

/**
 * One round of bringing every copy of an arch's check to the furthest state any copy or this event reached: the
 * updates to make, none when no copy is behind. GitHub has no create-if-absent for check runs, so two replicas
 * handling events of one job may each create a copy, or patch one while the other creates its own; the caller
 * reads the copies again after writing and calls this until it returns nothing. Whichever replica writes last
 * sees every copy and leaves them all final (GitHub shows the newest, which must never be the one left queued).
 * Each round only moves copies forward, and there are three states, so a few rounds suffice.
 */
export function jobCopiesBehind(copies: readonly JobCheckCopy[], event: JobEvent): Array<{ id: number; update: CheckUpdate }> {
  if (copies.length === 0) return [];
  const furthest = copies.reduce((a, b) =>
    STATUS_ORDER[b.status] > STATUS_ORDER[a.status] || (b.status === a.status && b.id > a.id) ? b : a,
  );
  const eventStatus = event.action === "waiting" ? "queued" : event.action;
  const goal: JobEvent =
    STATUS_ORDER[furthest.status] > STATUS_ORDER[eventStatus]
      ? { action: furthest.status, conclusion: furthest.conclusion ?? null }
      : event;
  return copies.flatMap((c) => {
    const update = jobCheckUpdate({ status: c.status, conclusion: c.conclusion ?? null }, goal);
    return update ? [{ id: c.id, update }] : [];
  });
}

/** How many rounds a caller runs at most (each round moves copies forward through three states). */
export const CONVERGENCE_ROUNDS = 4;
