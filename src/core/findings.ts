export type Severity = "error" | "warning" | "info";

/** One review finding: 1-based line and column, file relative to the container repo's root. */
export interface Finding {
  rule: string;
  severity: Severity;
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  message: string;
}

export interface FindingSummary {
  errors: number;
  warnings: number;
  infos: number;
  suppressed: number;
  files: string[];
}

const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function compareFindings(a: Finding, b: Finding): number {
  return (
    a.file.localeCompare(b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    ORDER[a.severity] - ORDER[b.severity] ||
    a.rule.localeCompare(b.rule)
  );
}

export function summarize(findings: readonly Finding[], files: readonly string[], suppressed = 0): FindingSummary {
  return {
    errors: findings.filter((f) => f.severity === "error").length,
    warnings: findings.filter((f) => f.severity === "warning").length,
    infos: findings.filter((f) => f.severity === "info").length,
    suppressed,
    files: [...files],
  };
}
