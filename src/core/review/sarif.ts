import type { Log, ReportingDescriptor, Result } from "sarif";
import type { Finding, Severity } from "../findings.js";
import type { RuleDescription } from "./types.js";

const LEVEL: Record<Severity, Result.level> = { error: "error", warning: "warning", info: "note" };

/**
 * A SARIF 2.1.0 log GitHub code scanning accepts: the rules with their docs, one result per finding with
 * its file (relative to the repository root, under %SRCROOT%) and 1-based start line and column.
 */
export function toSarif(findings: readonly Finding[], rules: readonly RuleDescription[], tool: { version: string }): Log {
  const used = new Set(findings.map((f) => f.rule));
  const descriptors = [...rules];
  for (const id of used) {
    // A finding from a rule the caller did not describe still gets a descriptor, so ruleIndex is valid.
    if (!descriptors.some((r) => r.id === id)) descriptors.push({ id, severity: "error", title: id, doc: id });
  }
  const index = new Map(descriptors.map((r, i) => [r.id, i]));
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "flibs",
            version: tool.version,
            semanticVersion: tool.version,
            rules: descriptors.map(descriptor),
          },
        },
        columnKind: "utf16CodeUnits",
        results: findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: index.get(f.rule) ?? 0,
          level: LEVEL[f.severity],
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeURI(f.file), uriBaseId: "%SRCROOT%" },
                region: {
                  startLine: f.line,
                  startColumn: f.column,
                  ...(f.endLine ? { endLine: f.endLine } : {}),
                  ...(f.endColumn ? { endColumn: f.endColumn } : {}),
                },
              },
            },
          ],
        })),
      },
    ],
  };
}

function descriptor(r: RuleDescription): ReportingDescriptor {
  return {
    id: r.id,
    name: r.id.replace(/(^|-)(\w)/g, (_m, _d: string, c: string) => c.toUpperCase()),
    shortDescription: { text: r.title },
    fullDescription: { text: r.doc },
    help: { text: r.doc, markdown: `**${r.title}**\n\n${r.doc}` },
    defaultConfiguration: { level: LEVEL[r.severity] },
  };
}
