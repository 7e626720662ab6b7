import { tmpdir } from "node:os";
import * as core from "@actions/core";
import { createJobDir } from "../../src/builder/job-storage.js";
import { isStopping, onStop } from "../../src/builder/terminate.js";
import { describeError, isFlibsError } from "../../src/core/errors.js";
import { makeContext } from "./context.js";
import { readInputs } from "./inputs.js";
import { buildMode, promoteMode, publishMode } from "./modes.js";

/** The flibs Action: translates inputs into one mode run through the shared builder and registry adapters. */
export async function main(): Promise<void> {
  let cleanup: (() => Promise<void>) | undefined;
  // A cancelled or timed-out job: no tool keeps building or pushing, and the job's directory goes.
  const unhook = onStop(
    async (signal) => {
      core.setFailed(`cancelled (${signal}): the build tools were stopped before they finished`);
      await cleanup?.();
    },
    (line) => core.info(line),
  );
  try {
    const inputs = readInputs();
    const job = await createJobDir(process.env.RUNNER_TEMP || tmpdir());
    cleanup = job.remove;
    // Every temporary file of this job (the pinned Dockerfile, package databases) goes in its own directory.
    process.env.TMPDIR = job.tmp;
    const ctx = await makeContext(inputs, process.env, job);
    if (inputs.mode === "build") await buildMode(inputs, ctx);
    else if (inputs.mode === "publish") await publishMode(inputs, ctx);
    else await promoteMode(inputs, ctx);
  } catch (e) {
    // Stopped by a signal: its handler says so; the tool's own failure is a consequence.
    if (!isStopping()) core.setFailed(isFlibsError(e) ? e.message : `flibs failed unexpectedly: ${describeError(e)}`);
  } finally {
    await cleanup?.().catch((e: unknown) => core.warning(`this job's storage was not removed: ${describeError(e)}`));
    unhook();
  }
}

await main();
