import { DEFAULT_POLICY, parseContainerConfig, type ContainerConfig, DEFAULT_CONTAINER_CONFIG } from "../config/index.js";
import { parseDockerfile, type DockerInstruction, type ParsedDockerfile } from "../dockerfile/index.js";
import { compareFindings, summarize, type Finding, type Severity } from "../findings.js";
import { describeError } from "../errors.js";
import type { ReviewInput, ReviewResult } from "./index.js";
import { ALL_RULES } from "./rules/index.js";
import type { Rule, RuleDescription, RuleExplanation } from "./types.js";

export const INTERNAL_RULE: RuleDescription & RuleExplanation = {
  id: "internal",
  severity: "error",
  title: "A rule failed",
  doc:
    "A review rule threw instead of returning findings. This is a bug in flibs, not in the repository; the " +
    "finding names the rule so it can be reported. The other rules still ran.",
  fix: "Report it to the flibs maintainers with the finding's message, and upgrade flibs when a fix is released. Nothing in the repository needs to change.",
};

const describe = (r: RuleDescription): RuleDescription => ({ id: r.id, severity: r.severity, title: r.title, doc: r.doc });

/** Every rule id, default severity, title and doc: the reference the README and SARIF are made from. */
export const RULES: readonly RuleDescription[] = [...ALL_RULES.map(describe), describe(INTERNAL_RULE)];

/** Every rule's whole page (doc, fix, example, peer rules): what `flibs review --explain` prints. */
export const RULE_PAGES: ReadonlyArray<RuleDescription & RuleExplanation> = [...ALL_RULES, INTERNAL_RULE];

const RULE_IDS: ReadonlySet<string> = new Set(RULES.map((r) => r.id));

/** The Dockerfile path a container.yaml names (`dockerfile:`), else `Dockerfile`. Never throws. */
export function dockerfilePath(containerYamlText?: string): string {
  if (containerYamlText === undefined) return "Dockerfile";
  const parsed = parseContainerConfig(containerYamlText);
  const path = parsed.ok ? parsed.value.dockerfile : "Dockerfile";
  return path.replace(/^(\.\/)+/, "");
}

/** The review with a given rule set (tests use it to check that a throwing rule becomes an `internal` finding). */
export function runReview(input: ReviewInput, ruleSet: readonly Rule[] = ALL_RULES): ReviewResult {
  const policy = input.policy ?? DEFAULT_POLICY;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a policy object not parsed by the schema may lack fields
  const levels: Partial<Record<string, Severity | "off">> = policy.rules ?? {};
  const effective = (r: RuleDescription): Severity | "off" => levels[r.id] ?? r.severity;
  const rules = RULES.flatMap((r) => {
    const level = effective(r);
    return level === "off" ? [] : [{ ...describe(r), severity: level }];
  });

  let config: ContainerConfig | undefined = DEFAULT_CONTAINER_CONFIG;
  let configFindings: Finding[] = [];
  const files: string[] = [];
  const raw: Finding[] = [];
  if (input.containerYaml) {
    files.push(input.containerYaml.path);
    const parsed = safe(() => parseContainerConfig(input.containerYaml?.text, input.containerYaml?.path));
    if (!parsed.ok) {
      // No config rule carries this finding (they copy config-syntax/config-schema ones): it goes out directly.
      raw.push(internal("config", input.containerYaml.path, parsed.error));
      config = undefined;
    } else {
      configFindings = parsed.value.findings;
      config = parsed.value.ok ? parsed.value.value : undefined;
    }
  }

  const dfPath = input.dockerfile?.path ?? config?.dockerfile ?? dockerfilePath(input.containerYaml?.text);
  let dockerfile: ParsedDockerfile | undefined;
  if (input.dockerfile) {
    files.unshift(input.dockerfile.path);
    const text = input.dockerfile.text;
    const parsed = safe(() => parseDockerfile(text, dfPath, { buildArgs: config?.build_args ?? {} }));
    if (parsed.ok) dockerfile = parsed.value;
    else raw.push(internal("dockerfile parser", dfPath, parsed.error));
  } else {
    raw.push({
      rule: "dockerfile-missing",
      severity: "error",
      file: dfPath,
      line: 1,
      column: 1,
      message: `no ${dfPath} in the repository`,
    });
  }

  const ctx = {
    dockerfile: dockerfile ?? emptyDockerfile(dfPath),
    config: config ?? DEFAULT_CONTAINER_CONFIG,
    policy,
    configFindings,
    ruleIds: RULE_IDS,
  };
  for (const rule of ruleSet) {
    if (effective(rule) === "off") continue;
    if (!dockerfile && rule.id !== "config-syntax" && rule.id !== "config-schema") continue;
    const hits = safe(() => rule.check(ctx));
    if (!hits.ok) {
      raw.push(internal(rule.id, dfPath, hits.error));
      continue;
    }
    for (const h of hits.value)
      raw.push({ rule: rule.id, severity: rule.severity, file: h.file ?? dfPath, ...position(h), message: h.message });
  }

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- as above
  const unwaivable = new Set(policy.not_ignorable ?? []);
  const kept: Finding[] = [];
  let suppressed = 0;
  for (const f of raw) {
    const level = levels[f.rule] ?? f.severity;
    if (level === "off") continue;
    if (dockerfile && !unwaivable.has(f.rule) && isSuppressed(f, dockerfile)) {
      suppressed++;
      continue;
    }
    kept.push({ ...f, severity: level });
  }
  kept.sort(compareFindings);
  return { findings: kept, summary: summarize(kept, files, suppressed), ...(config ? { config } : {}), rules };
}

function position(h: { line: number; column: number; endLine?: number; endColumn?: number }) {
  const p: Pick<Finding, "line" | "column" | "endLine" | "endColumn"> = { line: Math.max(1, h.line), column: Math.max(1, h.column) };
  if (h.endLine !== undefined) p.endLine = h.endLine;
  if (h.endColumn !== undefined) p.endColumn = h.endColumn;
  return p;
}

/** An ignore with a reason, naming the rule, on the comment lines right above the instruction the finding is on. */
function isSuppressed(f: Finding, df: ParsedDockerfile): boolean {
  if (f.file !== df.file || f.rule === "ignore-comment" || f.rule === "internal") return false;
  return df.ignores.some((ig) => ig.reason !== "" && ig.rules.includes(f.rule) && ig.target !== undefined && within(f, ig.target));
}

const within = (f: Finding, ins: DockerInstruction) => f.line >= ins.line && f.line <= ins.endLine;

function safe<T>(fn: () => T): { ok: true; value: T } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

function internal(what: string, file: string, error: unknown): Finding {
  return {
    rule: INTERNAL_RULE.id,
    severity: "error",
    file,
    line: 1,
    column: 1,
    message: `flibs bug: ${what} failed: ${describeError(error)}`,
  };
}

function emptyDockerfile(file: string): ParsedDockerfile {
  return { file, instructions: [], stages: [], images: [], labels: [], runs: [], ignores: [], problems: [] };
}

export type { Rule };
