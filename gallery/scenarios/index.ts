import type { Scenario } from "../types.js";
import { checkScenarios } from "./checks.js";
import { jobSummaryScenarios } from "./job-summaries.js";
import { reviewScenarios } from "./review.js";

/** Every scenario the gallery renders, in page order. A new file under scenarios/ adds its list here. */
export const SCENARIOS: readonly Scenario[] = [...reviewScenarios, ...checkScenarios, ...jobSummaryScenarios];
