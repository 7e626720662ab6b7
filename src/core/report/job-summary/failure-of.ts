import type { FailedInstruction } from "../../build/step-output.js";
import { describeError, isFlibsError } from "../../errors.js";
import type { JobFailure, TestRun } from "./types.js";

/** What a builder adds to the error of a failed step (a FlibsError's `detail`) for the job summary. */
export interface StepFailureDetail {
  kind: "flibs.step-failure";
  step: string;
  instruction?: FailedInstruction;
  test?: TestRun;
  output?: string;
}

export function stepFailureDetail(d: Omit<StepFailureDetail, "kind">): StepFailureDetail {
  return { kind: "flibs.step-failure", ...d };
}

function isStepFailureDetail(d: unknown): d is StepFailureDetail {
  return typeof d === "object" && d !== null && (d as { kind?: unknown }).kind === "flibs.step-failure";
}

/** The failure a thrown value stands for; `failedStep` names the step it broke (from the job's step clock). */
export function jobFailureOf(e: unknown, failedStep?: string): JobFailure {
  if (!isFlibsError(e))
    return { code: "internal", message: `flibs failed unexpectedly: ${describeError(e)}`, ...(failedStep ? { step: failedStep } : {}) };
  const d = isStepFailureDetail(e.detail) ? e.detail : undefined;
  const step = d?.step ?? failedStep;
  return {
    code: e.code,
    // A tool's failure carries its last lines; they are in the output block, the message keeps its first line.
    message: e.message.split("\n")[0]!,
    ...(step ? { step } : {}),
    ...(d?.instruction ? { instruction: d.instruction } : {}),
    ...(d?.test ? { test: d.test } : {}),
    ...(d?.output !== undefined ? { output: d.output } : {}),
  };
}
