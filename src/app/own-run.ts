import { ownRun, type RunFacts, type RunIdentity } from "../core/plan/run-identity.js";
import { readOrgPolicy } from "../github/policy.js";
import { ownAppLogin } from "../github/octokit.js";
import type { Scope } from "./scope.js";

/**
 * Whether a run is the one the App dispatched: its id when the check recorded it, else (no id from GitHub
 * Enterprise Server 3.20 and older, or an event that beat the record to another replica) the run's workflow file,
 * event and actor. `facts` are read only when the id cannot decide.
 */
export async function isOwnRun(
  scope: Scope,
  runId: number,
  recorded: number | undefined,
  workflowOf: "build" | "promote",
  facts: () => Promise<RunFacts>,
): Promise<RunIdentity> {
  if (recorded !== undefined) return ownRun({ run: { id: runId }, recordedRunId: recorded, workflow: "" });
  const [run, policy, appLogin] = await Promise.all([facts(), readOrgPolicy(scope.octokit, scope.repo.owner), ownAppLogin(scope.octokit)]);
  return ownRun({ run, workflow: policy.policy[workflowOf].workflow, ...(appLogin ? { appLogin } : {}) });
}

/** A `workflow_run` payload's facts, as the run identity reads them. */
export function runFacts(run: {
  id: number;
  path?: string | null;
  event?: string | null;
  triggering_actor?: { login: string } | null;
  actor?: { login: string } | null;
}): RunFacts {
  return { id: run.id, path: run.path ?? null, event: run.event ?? null, actor: run.triggering_actor?.login ?? run.actor?.login ?? null };
}
