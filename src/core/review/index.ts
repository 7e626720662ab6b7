import type { ContainerConfig, Policy } from "../config/index.js";
import type { Finding, FindingSummary } from "../findings.js";
import { runReview } from "./engine.js";
import type { RuleDescription } from "./types.js";

export type { Rule, RuleContext, RuleDescription, RuleExplanation, RuleHit } from "./types.js";
export { RULES, RULE_PAGES, dockerfilePath } from "./engine.js";

export interface ReviewInput {
  /** The Dockerfile, path relative to the repo root; absent = not found (an error finding). */
  dockerfile?: { path: string; text: string };
  /** `container.yaml`, if the repo has one. */
  containerYaml?: { path: string; text: string };
  /** The organisation policy; default: DEFAULT_POLICY. */
  policy?: Policy;
}

export interface ReviewResult {
  findings: Finding[];
  summary: FindingSummary;
  /** The parsed container.yaml (defaults when absent); absent when it does not validate. */
  config?: ContainerConfig;
  /** Every enabled rule with its effective severity (after the policy's `rules:` overrides). */
  rules: RuleDescription[];
}

/** Reviews a container repo's Dockerfile and container.yaml. Pure; never throws. */
export function review(input: ReviewInput): ReviewResult {
  return runReview(input);
}

export { toSarif } from "./sarif.js";
export { explainRule, unknownRuleMessage } from "./explain.js";
