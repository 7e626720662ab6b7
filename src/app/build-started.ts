import { buildingCheck } from "../core/report/build-check.js";
import { writeCheck, type CheckRecord } from "../github/checks.js";
import { readRun } from "../github/workflows.js";
import { reportRun } from "./close-build.js";
import type { Scope } from "./scope.js";

/**
 * `flibs/build` from queued to "Building …" once an arch's job started, without ever leaving a closed check
 * reopened. The run is read before the write (a completed run is closed, or about to be, by its `workflow_run`
 * event) and again after it: another replica's close may have landed between the two, and then this replica
 * closes the check again with the same result. Only the title and status change; the summary
 * stays, its plan recording the run (src/core/report/build-check.ts).
 */
export async function markBuilding(
  scope: Scope,
  check: Pick<CheckRecord, "id" | "summary">,
  runId: number,
): Promise<"building" | "not-building" | "closed-again"> {
  const { octokit, repo } = scope;
  const write = buildingCheck(await readRun(octokit, repo, runId), check.summary ?? "");
  if (!write) return "not-building";
  await writeCheck(octokit, repo, { id: check.id }, write);
  const after = await readRun(octokit, repo, runId);
  if (after.status !== "completed") return "building";
  await reportRun(scope, after);
  return "closed-again";
}
