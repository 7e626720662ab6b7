import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RULES } from "../../../src/core/review/index.js";

const README = readFileSync(join(import.meta.dirname, "..", "..", "..", "README.md"), "utf8");
const escape = (s: string) => s.replace(/\|/g, "\\|");

/**
 * The README's rule table as RULES gives it; on drift, the failure shows the table to paste. Each id carries the
 * anchor the flibs/review check links to (`#rule-<id>`, src/core/report/review-check.ts).
 */
const expectedTable = [
  "| id | default | rule | what it checks |",
  "| --- | --- | --- | --- |",
  ...RULES.map((r) => `| <a id="rule-${r.id}"></a>\`${r.id}\` | ${r.severity} | ${escape(r.title)} | ${escape(r.doc)} |`),
].join("\n");

describe("README rule reference", () => {
  it("lists every rule with its default severity, title and doc, as RULES does", () => {
    const section = README.split(/^## Review rules$/m)[1]?.split(/^## /m)[0] ?? "";
    const table = section
      .split("\n")
      .filter((l) => l.startsWith("|"))
      .join("\n");
    expect(table).toBe(expectedTable);
  });
  it("documents flibs review's formats, exit codes and the ignore comment", () => {
    const section = README.split(/^## `flibs review`$/m)[1]?.split(/^## /m)[0] ?? "";
    for (const text of ["--format text|json|sarif", "--policy", "SARIF 2.1.0", "`0`", "`1`", "`2`", "# flibs-ignore RULE-ID reason"]) {
      expect(section).toContain(text);
    }
  });
});
