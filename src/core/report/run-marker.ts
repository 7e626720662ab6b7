/**
 * The run GitHub started for a dispatch (`workflow_run_id`), kept in the summary of the check that dispatched it
 * as an HTML comment (GitHub does not render it): the run's events are matched to the check by this id, never by
 * the run's name alone.
 */
const MARKER = /<!-- flibs:run ([1-9][0-9]{0,15}) -->/;

export function formatRunMarker(runId: number): string {
  if (!Number.isSafeInteger(runId) || runId <= 0) throw new Error(`not a run id: ${runId}`);
  return `<!-- flibs:run ${runId} -->`;
}

export function parseRunMarker(text: string | null | undefined): number | undefined {
  const m = MARKER.exec(text ?? "");
  return m ? Number(m[1]) : undefined;
}
