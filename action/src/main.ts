import * as core from "@actions/core";
import { describeError, isFlibsError } from "../../src/core/errors.js";
import { makeContext } from "./context.js";
import { readInputs } from "./inputs.js";
import { buildMode, promoteMode, publishMode } from "./modes.js";

/** The flibs Action: translates inputs into one mode run through the shared builder and registry adapters. */
export async function main(): Promise<void> {
  let cleanup: (() => Promise<void>) | undefined;
  try {
    const inputs = readInputs();
    const ctx = await makeContext(inputs, process.env);
    cleanup = ctx.cleanup;
    if (inputs.mode === "build") await buildMode(inputs, ctx);
    else if (inputs.mode === "publish") await publishMode(inputs, ctx);
    else await promoteMode(inputs, ctx);
  } catch (e) {
    core.setFailed(isFlibsError(e) ? e.message : `flibs failed unexpectedly: ${describeError(e)}`);
  } finally {
    await cleanup?.().catch(() => undefined);
  }
}

await main();
