import { DEFAULT_POLICY, policySchema, type Policy } from "../../../src/core/config/index.js";
import type { Finding } from "../../../src/core/findings.js";
import { review } from "../../../src/core/review/index.js";

/** Reviews a Dockerfile given as lines and returns the findings of one rule as `line:col message`. */
export function hits(
  rule: string,
  lines: string[] | string,
  options: { policy?: Partial<Policy>; containerYaml?: string } = {},
): Finding[] {
  const text = Array.isArray(lines) ? `${lines.join("\n")}\n` : lines;
  const policy = options.policy ? policySchema.parse(options.policy) : DEFAULT_POLICY;
  const result = review({
    dockerfile: { path: "Dockerfile", text },
    policy,
    ...(options.containerYaml !== undefined ? { containerYaml: { path: "container.yaml", text: options.containerYaml } } : {}),
  });
  return result.findings.filter((f) => f.rule === rule);
}

export const at = (fs: Finding[]): string[] => fs.map((f) => `${f.line}:${f.column}`);

/** A Dockerfile that passes every default rule, to which a test adds the lines it is about. */
export const GOOD_HEAD = [
  "FROM registry.fedoraproject.org/fedora:41",
  'LABEL com.redhat.component="demo" name="demo" version="1" summary="A demo" maintainer="Jane <jane@example.com>"',
];
export const GOOD = [...GOOD_HEAD, "USER 1001"];
