import type { Arch } from "../core/platform.js";
import { buildingCheck } from "../core/report/build-check.js";
import { writeCheck, type CheckRecord } from "../github/checks.js";
import { readRun } from "../github/workflows.js";
import { reportRun } from "./close-build.js";
import type { Scope } from "./scope.js";

/**
 * `flibs/build` from queued to "Building …" once an arch's job started, without ever leaving a closed check
 * reopened. The run is read before the write (a completed run is closed, or about to be, by its `workflow_run`
 * event) and again after it: another replica's close may have landed between the two, and then this replica
 * closes the check again with the same result. Only the summary's title and status change; its plan stays.
 */
export async function markBuilding(
  scope: Scope,
  check: Pick<CheckRecord, "id" | "summary">,
  runId: number,
  building: readonly Arch[],
): Promise<"building" | "run-completed" | "closed-again"> {
  const { octokit, repo } = scope;
  const write = buildingCheck(await readRun(octokit, repo, runId), building);
  if (!write) return "run-completed";
  await writeCheck(octokit, repo, { id: check.id }, { ...write, summary: check.summary ?? "" });
  const after = await readRun(octokit, repo, runId);
  if (after.status !== "completed") return "building";
  await reportRun(scope, after);
  return "closed-again";
}
