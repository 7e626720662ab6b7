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

export interface Rule extends RuleDescription {
  check(ctx: RuleContext): RuleHit[];
}

export type { Finding, Severity };
