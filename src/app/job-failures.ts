import { jobAnnotations, type RunJob } from "../github/workflows.js";
import type { Scope } from "./scope.js";

/** The failure annotations of a job (its `::error::` lines and GitHub's own); none when they cannot be read. */
export async function failureLines(scope: Scope, job: RunJob): Promise<string[]> {
  if (job.checkRunId === undefined) return [];
  try {
    const annotations = await jobAnnotations(scope.octokit, scope.repo, job);
    return annotations.flatMap((a) => (a.annotation_level === "failure" && a.message ? [a.message] : []));
  } catch (e) {
    // The check still says where the job stopped; the lines are a help, not a reason to fail the event.
    scope.log.warn({ err: e, job: job.name }, "flibs/build: the job's annotations could not be read");
    return [];
  }
}
