import { describe, expect, test } from "vitest";
import { summarize, type Finding } from "../../src/core/findings.js";
import { annotation, reviewCheckOutput } from "../../src/github/review-check.js";

const f = (over: Partial<Finding>): Finding => ({ rule: "add-url", severity: "error", file: "Dockerfile", line: 3, column: 5, message: "m", ...over });
const SHA = "0123456789abcdef0123456789abcdef01234567";

describe("annotation", () => {
  test("maps severities to GitHub's levels and keeps columns only on one line", () => {
    expect(annotation(f({ severity: "error", endColumn: 9 }))).toEqual({
      path: "Dockerfile", start_line: 3, end_line: 3, start_column: 5, end_column: 9, annotation_level: "failure", message: "m", title: "add-url",
    });
    expect(annotation(f({ severity: "warning", endLine: 5 }))).toMatchObject({ start_line: 3, end_line: 5, annotation_level: "warning" });
    expect(annotation(f({ severity: "warning", endLine: 5 }))).not.toHaveProperty("start_column");
    expect(annotation(f({ severity: "info" })).annotation_level).toBe("notice");
  });
});

describe("reviewCheckOutput", () => {
  test("errors fail the check; the title counts them", () => {
    const findings = [f({}), f({ severity: "warning", rule: "user-missing", line: 1 }), f({ line: 4 })];
    const out = reviewCheckOutput({ findings, summary: summarize(findings, ["Dockerfile"]) }, { sha: SHA });
    expect(out.conclusion).toBe("failure");
    expect(out.title).toBe("2 errors, 1 warning");
    expect(out.annotations).toHaveLength(3);
    expect(out.summary).toContain("**flibs review** of `0123456789ab`: 2 errors, 1 warning, 0 notices.");
    expect(out.summary).toContain("| Severity | Rule | File | Line | Message |");
  });

  test("warnings alone pass", () => {
    const findings = [f({ severity: "warning" })];
    expect(reviewCheckOutput({ findings, summary: summarize(findings, ["Dockerfile"]) }, { sha: SHA }).conclusion).toBe("success");
  });

  test("a problem outside the repository fails the check and leads the summary", () => {
    const out = reviewCheckOutput({ findings: [], summary: summarize([], ["Dockerfile"]) }, { sha: SHA, problems: ["invalid organisation policy: arches: bad"] });
    expect(out.conclusion).toBe("failure");
    expect(out.title).toBe("flibs review could not run cleanly: invalid organisation policy: arches: bad");
    expect(out.summary).toContain("- ❌ invalid organisation policy&#58; arches&#58; bad");
  });

  test("user text in messages and paths is escaped in the summary, and the table is capped", () => {
    const findings = Array.from({ length: 150 }, (_, i) => f({ line: i + 1, file: "a|b<i>.Dockerfile", message: "@admins see [x](https://evil.example)" }));
    const out = reviewCheckOutput({ findings, summary: summarize(findings, ["Dockerfile"]) }, { sha: SHA });
    expect(out.summary).not.toContain("@admins");
    expect(out.summary).not.toContain("](https://");
    expect(out.summary).not.toContain("<i>");
    expect(out.summary.split("\n").filter((l) => l.startsWith("| ❌"))).toHaveLength(100);
    expect(out.summary).toContain("… and 50 more findings, all shown as annotations.");
    expect(out.annotations).toHaveLength(150);
    expect(out.annotations[0]!.message).toBe("@admins see [x](https://evil.example)");
  });
});
