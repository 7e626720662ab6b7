/** The job summaries the Action writes (GITHUB_STEP_SUMMARY), one renderer per mode, whatever happened. */
export * from "./types.js";
export { formatDuration, stepsTable } from "./steps.js";
export { displayCommand, failureBlock, outputBlock, testVerdict, OUTPUT_LINES } from "./failure.js";
export { buildJobSummary, buildNextSteps, type BuildJob } from "./build.js";
export { driftArches, packageComparison, publishJobSummary, publishNextSteps, type PackageRead, type PublishJob } from "./publish.js";
export { promoteJobSummary, promoteNextSteps, type PromoteJob, type Signature } from "./promote.js";
export { errorSummary } from "./error.js";
export { jobFailureOf, stepFailureDetail, type StepFailureDetail } from "./failure-of.js";
