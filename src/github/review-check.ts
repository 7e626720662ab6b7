import type { Finding, FindingSummary } from "../core/findings.js";
import { reviewCheckOutput as renderReviewCheck, type CheckOutput, type ReviewCheckOptions } from "../core/report/review-check.js";

export { REVIEW_CHECK_NAME, annotation, type AnnotationLevel, type CheckAnnotation, type CheckOutput } from "../core/report/review-check.js";

/**
 * The `flibs/review` check as the App publishes it: the core's rendering (src/core/report/review-check.ts), with
 * the rule reference the App is configured with (`FLIBS_DOCS_URL`, e.g. the README of the organisation's flibs
 * fork; default the project's README on GitHub).
 */
export function reviewCheckOutput(result: { findings: readonly Finding[]; summary: FindingSummary }, options: ReviewCheckOptions): CheckOutput {
  const docsUrl = options.docsUrl ?? process.env.FLIBS_DOCS_URL;
  return renderReviewCheck(result, { ...options, ...(docsUrl ? { docsUrl } : {}) });
}
