import type { FailedInstruction } from "../../build/step-output.js";
import type { FlibsErrorCode } from "../../errors.js";

/** One step of a job as the steps table shows it, with its own duration (never the time since the job began). */
export interface JobStep {
  name: string;
  /** `running`: under way when the job ended (a cancel); `skipped`: could not be done (no cosign); `not run`: planned, never started. */
  result: "done" | "failed" | "skipped" | "running" | "not run";
  seconds?: number;
  /** Replaces the result's word in the table (`2 passed`, `1 of 2 failed`). */
  label?: string;
}

/** An image test as it ran. */
export interface TestRun {
  name: string;
  command: string | readonly string[];
  expect?: string;
  passed: boolean;
  seconds?: number;
  /** The command's exit status; undefined when the builder could not tell. */
  exitCode?: number;
  output: string;
}

/** Why a job failed: the step, the instruction or test, the message and the step's own output. */
export interface JobFailure {
  code: FlibsErrorCode;
  /** For the maintainer, flibs' own words (values it quotes in backticks). */
  message: string;
  /** The step of the steps table that failed. */
  step?: string;
  /** The Dockerfile instruction the builder stopped at. */
  instruction?: FailedInstruction;
  /** The first image test that failed. */
  test?: TestRun;
  /** What the failing step printed (cleaned and cut when rendered). */
  output?: string;
}

export type JobOutcome =
  | { kind: "success" }
  | { kind: "failure"; failure: JobFailure }
  /** Stopped by the runner (a cancelled run, `/cancel`, a newer push, the job's time limit). */
  | { kind: "cancelled"; signal: string };
