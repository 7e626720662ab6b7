/**
 * Whether a workflow run is a build flibs started. Names are for people: a fork's own `pull_request` workflow can
 * call its run or jobs anything, including `flibs build <id>` and `build (x86_64) <id>`. A run is flibs' only when
 * it is the run GitHub answered the App's dispatch with (`workflow_run_id`, recorded in `flibs/build`), or, where
 * that id is not known (GitHub Enterprise Server 3.20 and older do not return it), a `workflow_dispatch` run of the
 * policy's caller workflow that the App itself triggered.
 */
export interface RunFacts {
  id: number;
  /** `.github/workflows/flibs.yml`, as the run payload and the runs API give it. */
  path?: string | null;
  event?: string | null;
  /** Who triggered the run (`triggering_actor.login`, else `actor.login`). */
  actor?: string | null;
}

export type RunIdentity = { ok: true } | { ok: false; reason: string };

export function ownRun(args: { run: RunFacts; recordedRunId?: number; workflow: string; appLogin?: string }): RunIdentity {
  const { run } = args;
  if (args.recordedRunId !== undefined) {
    return run.id === args.recordedRunId
      ? { ok: true }
      : { ok: false, reason: `run ${run.id} is not the run flibs dispatched (${args.recordedRunId})` };
  }
  const path = `.github/workflows/${args.workflow}`;
  if (run.event !== "workflow_dispatch")
    return { ok: false, reason: `run ${run.id} was triggered by ${run.event ?? "an unknown event"}, not by flibs' workflow_dispatch` };
  if (run.path !== path) return { ok: false, reason: `run ${run.id} is of ${run.path ?? "an unknown workflow"}, not ${path}` };
  if (!args.appLogin)
    return { ok: false, reason: `run ${run.id}: the App's own login is unknown, so no run can be told apart from a hand-started one` };
  if (run.actor !== args.appLogin)
    return { ok: false, reason: `run ${run.id} was started by ${run.actor ?? "someone unknown"}, not by ${args.appLogin}` };
  return { ok: true };
}
