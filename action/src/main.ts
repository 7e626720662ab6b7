import { tmpdir } from "node:os";
import * as core from "@actions/core";
import { createJobDir } from "../../src/builder/job-storage.js";
import { isStopping, onStop } from "../../src/builder/terminate.js";
import { describeError } from "../../src/core/errors.js";
import { errorSummary, jobFailureOf, type JobOutcome } from "../../src/core/report/job-summary/index.js";
import { makeContext } from "./context.js";
import { readInputs } from "./inputs.js";
import { buildJob, promoteJob, publishJob, type ModeJob } from "./modes.js";

/** Appends the job summary; a runner without GITHUB_STEP_SUMMARY (or a full disk) costs a warning, not the job. */
async function writeSummary(markdown: string): Promise<void> {
  try {
    await core.summary.addRaw(markdown).write();
  } catch (e) {
    core.warning(`the job summary was not written: ${describeError(e)}`);
  }
}

/**
 * The flibs Action: translates inputs into one mode run through the shared builder and registry adapters. Every
 * run writes its job summary, whatever happens (success, a failed step, a refusal, a cancel), and a failure
 * is one annotation.
 */
export async function main(): Promise<void> {
  let cleanup: (() => Promise<void>) | undefined;
  let job: ModeJob | undefined;
  const summarize = (outcome: JobOutcome) => (job ? job.summary(outcome) : undefined);
  // A cancelled or timed-out job: no tool keeps building or pushing, and the job's directory goes.
  const unhook = onStop(
    async (signal) => {
      core.setFailed(`cancelled (${signal}): the build tools were stopped before they finished`);
      const md = summarize({ kind: "cancelled", signal });
      if (md) await writeSummary(md);
      await cleanup?.();
    },
    (line) => core.info(line),
  );
  const mode = core.getInput("mode").trim() || undefined;
  try {
    const inputs = readInputs();
    const dir = await createJobDir(process.env.RUNNER_TEMP || tmpdir());
    cleanup = () => dir.remove();
    // Every temporary file of this job (the pinned Dockerfile, package databases) goes in its own directory.
    process.env.TMPDIR = dir.tmp;
    const ctx = await makeContext(inputs, process.env, dir);
    job = inputs.mode === "build" ? buildJob(inputs, ctx) : inputs.mode === "publish" ? publishJob(inputs, ctx) : promoteJob(inputs, ctx);
    await job.run();
    await writeSummary(job.summary({ kind: "success" }));
  } catch (e) {
    // Stopped by a signal: its handler says so and writes the summary; the tool's own failure is a consequence.
    if (!isStopping()) {
      const failure = jobFailureOf(e, job?.failedStep());
      core.error(failure.message, job?.annotation(failure) ?? {});
      process.exitCode = core.ExitCode.Failure;
      await writeSummary(job ? job.summary({ kind: "failure", failure }) : errorSummary(mode, failure));
    }
  } finally {
    await cleanup?.().catch((e: unknown) => core.warning(`this job's storage was not removed: ${describeError(e)}`));
    unhook();
  }
}

await main();
