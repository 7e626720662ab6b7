import type { ContainerConfig, Policy } from "../config/index.js";
import type { ParsedDockerfile } from "../dockerfile/index.js";
import type { Finding, Severity } from "../findings.js";

/** What every rule sees: the parsed Dockerfile (with its repo-relative path), the config and the policy. */
export interface RuleContext {
  dockerfile: ParsedDockerfile;
  config: ContainerConfig;
  policy: Policy;
  /** Problems `parseContainerConfig` found in container.yaml (on their YAML lines). */
  configFindings: readonly Finding[];
  /** Every rule id, so `# flibs-ignore` can be checked. */
  ruleIds: ReadonlySet<string>;
}

/** A finding as a rule reports it; the engine fills in the rule id, the file and the effective severity. */
export interface RuleHit {
  /** Default: the Dockerfile. */
  file?: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  message: string;
}

export interface RuleDescription {
  /** Stable kebab-case id, used in `# flibs-ignore`, policy `rules:` and SARIF. */
  id: string;
  severity: Severity;
  title: string;
  /** One paragraph: what the rule checks and why. */
  doc: string;
}

/** The rest of a rule's page (`flibs review --explain RULE`): how to fix it, an example, the peer linter. */
export interface RuleExplanation {
  /** What to change in the repository so the finding goes away. */
  fix: string;
  /** A snippet the rule reports and the same snippet made right (a test reviews both). */
  example?: { file: "Dockerfile" | "container.yaml"; bad: string; good: string };
  /** hadolint's rules for the same check, and each difference from them, which is deliberate. */
  peer?: { rules: string[]; differences: string[] };
}

export interface Rule extends RuleDescription, RuleExplanation {
  check(ctx: RuleContext): RuleHit[];
}

export type { Finding, Severity };
