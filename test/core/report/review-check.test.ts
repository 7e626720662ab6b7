import { describe, expect, test } from "vitest";
import { summarize, type Finding } from "../../../src/core/findings.js";
import {
  annotation,
  DEFAULT_DOCS_URL,
  groupFindings,
  REVIEW_CHECK_NAME,
  reviewCheckOutput,
} from "../../../src/core/report/review-check.js";
import { codeSpans, links, readerProblems, renderedText, tables } from "../../helpers/markdown.js";

const f = (over: Partial<Finding>): Finding => ({
  rule: "add-url",
  severity: "error",
  file: "Dockerfile",
  line: 3,
  column: 5,
  message: "m",
  ...over,
});
const SHA = "0123456789abcdef0123456789abcdef01234567";
const check = (findings: Finding[], options: { problems?: string[]; docsUrl?: string } = {}) =>
  reviewCheckOutput({ findings, summary: summarize(findings, ["Dockerfile"]) }, { sha: SHA, ...options });
/** The rule reference links flibs writes on purpose. */
const DOCS = { links: [`${DEFAULT_DOCS_URL}#rule-`] };

describe("annotation", () => {
  test("maps severities to GitHub's levels and keeps columns only on one line", () => {
    expect(annotation(f({ severity: "error", endColumn: 9 }))).toEqual({
      path: "Dockerfile",
      start_line: 3,
      end_line: 3,
      start_column: 5,
      end_column: 9,
      annotation_level: "failure",
      message: "m",
      title: "add-url",
    });
    expect(annotation(f({ severity: "warning", endLine: 5 }))).toMatchObject({ start_line: 3, end_line: 5, annotation_level: "warning" });
    expect(annotation(f({ severity: "warning", endLine: 5 }))).not.toHaveProperty("start_column");
    expect(annotation(f({ severity: "info" })).annotation_level).toBe("notice");
  });
});

describe("reviewCheckOutput", () => {
  test("is the flibs/review check; errors fail it; the title counts them", () => {
    expect(REVIEW_CHECK_NAME).toBe("flibs/review");
    const findings = [f({}), f({ severity: "warning", rule: "user-missing", line: 1 }), f({ line: 4 })];
    const out = check(findings);
    expect(out.conclusion).toBe("failure");
    expect(out.title).toBe("2 errors, 1 warning");
    expect(out.annotations).toHaveLength(3);
    expect(out.summary).toContain("**flibs review** of `0123456789ab`: 2 errors, 1 warning, 0 infos.");
    expect(out.summary).toContain("| Severity | File | Line | Finding |");
    expect(readerProblems(out.summary, DOCS)).toEqual([]);
  });

  test("warnings alone pass", () => {
    expect(check([f({ severity: "warning" })]).conclusion).toBe("success");
  });

  test("a problem outside the repository fails the check and leads the summary", () => {
    const out = check([], { problems: ["invalid organisation policy: arches: bad"] });
    expect(out.conclusion).toBe("failure");
    expect(out.title).toBe("flibs review could not run cleanly: invalid organisation policy: arches: bad");
    // Was pinned as the escapes written (`&#58;`); now as rendered.
    expect(renderedText(out.summary)).toContain("❌ invalid organisation policy: arches: bad");
    expect(renderedText(out.summary)).toContain("Not a problem of this pull request");
    expect(readerProblems(out.summary)).toEqual([]);
  });

  test("user text in messages and paths is escaped in the summary, and the table is capped", () => {
    const findings = Array.from({ length: 150 }, (_, i) =>
      f({ line: i + 1, file: "a|b<i>.Dockerfile", message: `@admins see [x](https://evil.example) ${i}` }),
    );
    const out = check(findings);
    // Was `not.toContain("@admins")` etc. on the markdown written; asserted on the rendered screen now.
    expect(readerProblems(out.summary, DOCS)).toEqual([]);
    expect(links(out.summary).every((l) => l.url.startsWith(DEFAULT_DOCS_URL))).toBe(true);
    // The file name is in a code span now, where `<i>` is text: the parser finds no HTML.
    const rows = tables(out.summary)[0]!;
    expect(rows).toHaveLength(101);
    expect(rows[1]).toEqual(["❌\u00a0error", "a|b<i>.Dockerfile", "1", "add-url: @admins see [x](https://evil.example) 0"]);
    expect(out.summary).toContain("… and 50 more findings, all shown as annotations.");
    expect(out.annotations).toHaveLength(150);
    expect(out.annotations[0]!.message).toBe("@admins see [x](https://evil.example) 0");
  });

  test("errors before warnings before infos, in the table and in the annotations", () => {
    const findings = [
      f({ severity: "info", rule: "user-missing", line: 1 }),
      f({ severity: "warning", rule: "dnf-clean-all", line: 2 }),
      f({ line: 9 }),
      f({ severity: "warning", rule: "add-local-file", line: 3 }),
    ];
    const out = check(findings);
    expect(
      tables(out.summary)[0]!
        .slice(1)
        .map((r) => `${r[0]} ${r[3]} ${r[2]}`),
    ).toEqual([
      "❌\u00a0error add-url: m 9",
      "⚠️\u00a0warning dnf-clean-all: m 2",
      "⚠️\u00a0warning add-local-file: m 3",
      "ℹ️\u00a0info user-missing: m 1",
    ]);
    expect(out.annotations.map((a) => a.annotation_level)).toEqual(["failure", "warning", "warning", "notice"]);
  });

  test("150 identical dnf-assume-yes findings are one row with the count and the lines", () => {
    const message = "`dnf install` without `-y` stops at the confirmation prompt and fails the build";
    const findings = Array.from({ length: 150 }, (_, i) => f({ rule: "dnf-assume-yes", line: 2 * i + 3, message }));
    const out = check(findings);
    const rows = tables(out.summary)[0]!;
    expect(rows).toHaveLength(2);
    expect(rows[1]![3]).toBe("dnf-assume-yes: dnf install without -y stops at the confirmation prompt and fails the build");
    expect(rows[1]![2]).toBe("3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, … (150 findings)");
    expect(out.annotations).toHaveLength(150);
    expect(groupFindings(findings)).toHaveLength(1);
  });

  test("each rule id is a code span leading its finding's cell (no narrow column to wrap it at a hyphen), linked to its entry in the rule reference", () => {
    const out = check([f({ rule: "dnf-assume-yes" }), f({ rule: "base-image-tag", line: 1 })]);
    expect(readerProblems(out.summary, DOCS)).toEqual([]);
    expect(codeSpans(out.summary)).toEqual(expect.arrayContaining(["dnf-assume-yes", "base-image-tag"]));
    expect(tables(out.summary)[0]![0]).toEqual(["Severity", "File", "Line", "Finding"]);
    expect(
      tables(out.summary)[0]!
        .slice(1)
        .map((r) => r[3]!.split(":")[0]),
    ).toEqual(["base-image-tag", "dnf-assume-yes"]);
    expect(links(out.summary)).toEqual([
      { url: `${DEFAULT_DOCS_URL}#rule-base-image-tag`, text: "base-image-tag" },
      { url: `${DEFAULT_DOCS_URL}#rule-dnf-assume-yes`, text: "dnf-assume-yes" },
    ]);
    expect(DEFAULT_DOCS_URL).toMatch(/^https:\/\/github\.com\//);
  });

  test("the rule reference's base is configurable; only an http(s) URL is taken, never a path", () => {
    const docs = (docsUrl: string) => links(check([f({})], { docsUrl }).summary).map((l) => l.url);
    expect(docs("https://github.example.com/acme/flibs/blob/v2/README.md")).toEqual([
      "https://github.example.com/acme/flibs/blob/v2/README.md#rule-add-url",
    ]);
    expect(docs("/srv/flibs/README.md")).toEqual([`${DEFAULT_DOCS_URL}#rule-add-url`]);
    expect(docs("javascript:alert(1)")).toEqual([`${DEFAULT_DOCS_URL}#rule-add-url`]);
  });

  test("the check says info, as flibs review does, never notices", () => {
    const out = check([f({ severity: "info" }), f({ severity: "info", line: 5 })]);
    expect(out.title).toBe("2 infos");
    expect(out.summary).toContain("0 errors, 0 warnings, 2 infos.");
    expect(renderedText(out.summary)).not.toMatch(/notice/);
  });

  test("an unreadable organisation policy reaches the title when there are findings too", () => {
    const out = check([f({})], { problems: ["cannot read the organisation policy my-org/.github:.github/flibs.yml: GitHub answered 500"] });
    expect(out.title).toBe("1 error; cannot read the organisation policy my-org/.github:.github/flibs.yml: GitHub answered 500");
    expect(out.conclusion).toBe("failure");
  });

  test("backticks in a message render as code, not as literal backticks or entities", () => {
    const out = check([
      f({ message: "ADD of URL `https://example.com/app.tar.gz`: fetched unreviewed at build time; vendor the file and COPY it" }),
    ]);
    expect(tables(out.summary)[0]![1]![3]).toBe(
      "add-url: ADD of URL https://example.com/app.tar.gz: fetched unreviewed at build time; vendor the file and COPY it",
    );
    expect(codeSpans(out.summary)).toContain("https://example.com/app.tar.gz");
    expect(out.summary).not.toContain("&#96;");
    expect(readerProblems(out.summary, DOCS)).toEqual([]);
  });

  test("a pipe in a quoted command keeps the table well-formed and reads as typed", () => {
    const out = check([f({ rule: "curl-pipe-shell", message: "`curl -s https://x | sh` and `grep a\\|b`" })]);
    expect(readerProblems(out.summary, { ...DOCS, escapesInInput: true })).toEqual([]);
    expect(tables(out.summary)[0]![1]![3]).toBe("curl-pipe-shell: curl -s https://x | sh and grep a\\|b");
  });
});
