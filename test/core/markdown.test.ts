import { describe, expect, test } from "vitest";
import {
  escapeCell,
  escapeText,
  inlineCode,
  joinMarkdown,
  mention,
  messageMarkdown,
  plainText,
  table,
  tableCell,
  trusted,
  truncateMarkdown,
} from "../../src/core/markdown.js";
import { codeSpans, links, readerProblems, renderedText, tables } from "../helpers/markdown.js";

// These tests read the markdown as GitHub renders it (test/helpers/markdown.ts parses it with a CommonMark + GFM
// parser). Earlier versions pinned the escapes written (`&#58;`, a zero-width space after `@` and `://`); those
// escapes showed or broke copies, so the rendered text is what is asserted now.

const REF = "127.0.0.1:5999/cand/acme/httpd:sha-1a2b@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

describe("escapeText", () => {
  const nasty = [
    "[click](https://evil.example/x)",
    "![img](https://evil.example/p.png)",
    "<img src=x onerror=alert(1)>",
    "<!-- hidden --> <details open>",
    "@my-org/admins please merge, cc @octocat",
    "fixes #12 and my-org/other#3",
    "visit www.evil.example or https://evil.example/path",
    "mail me: someone@evil.example",
    "**bold** _em_ `code` ~~strike~~ | pipe \\ backslash",
    "&lt;script&gt; already-escaped &amp; entities",
    "line one\nline two\r\n# heading",
  ];

  test.each(nasty)("leaves no markup, HTML, link, mention or reference in %j", (input) => {
    const out = escapeText(input);
    expect(readerProblems(out, { escapesInInput: true })).toEqual([]);
    expect(links(out)).toEqual([]);
    // Alone, and in a table cell.
    expect(readerProblems(table(["a"], [[input]]), { escapesInInput: true })).toEqual([]);
  });

  test.each(nasty)("still reads as the same characters: %j", (input) => {
    expect(renderedText(escapeText(input))).toBe(input.replace(/\r\n?|\n/g, " "));
    expect(tables(table(["a"], [[input]]))[0]![1]).toEqual([input.replace(/\r\n?|\n/g, " ")]);
  });

  test("no zero-width character: a URL, a mention and a reference copy as typed", () => {
    const input = "fetch https://example.com/app.tar.gz, ask @octocat about #12";
    const out = escapeText(input);
    expect(out).not.toMatch(/[\u200b-\u200d\u2060\ufeff]/);
    expect(readerProblems(out)).toEqual([]);
    expect(codeSpans(out)).toEqual(["https://example.com/app.tar.gz,", "@octocat", "#12"]);
  });

  test("plain words stay readable as they are", () => {
    expect(escapeText("base image uses latest tag")).toBe("base image uses latest tag");
    expect(escapeText("dnf-assume-yes: x86_64 and aarch64")).toBe("dnf-assume-yes: x86&#95;64 and aarch64");
  });

  test("a line that would open a block (heading, list, quote) does not", () => {
    for (const input of ["# heading", "- item", "+ item", "1. item", "2) item", "> quote", "=== ", "---"]) {
      expect(renderedText(escapeText(input)), input).toBe(input.trimEnd());
      expect(readerProblems(escapeText(input)), input).toEqual([]);
    }
  });

  test("control characters are replaced", () => {
    expect(escapeText("a\u0000b\u001bc")).toBe("a\ufffdb\ufffdc");
  });
});

describe("escapeCell and inlineCode", () => {
  test("escapeCell shortens long text before escaping", () => {
    const out = escapeCell("x".repeat(500), 10);
    expect(out).toBe(`${"x".repeat(9)}…`);
  });

  test("inlineCode shows text verbatim in a fence longer than any backtick run", () => {
    expect(inlineCode("dnf install -y x")).toBe("`dnf install -y x`");
    expect(inlineCode("a ``b`` c")).toBe("```a ``b`` c```");
    expect(inlineCode("`start")).toBe("`` `start ``");
    expect(inlineCode("two\nlines")).toBe("`two lines`");
    expect(inlineCode("")).toBe("");
    for (const s of ["a ``b`` c", "`start", "end`", " lead", "trail ", "`", "``", "a `b` c"])
      expect(codeSpans(inlineCode(s)), s).toEqual([s]);
  });

  test("a reference, digest, tag and URL in a code span read exactly as typed, in a paragraph and in a table", () => {
    // CommonMark, "Code spans": backslash escapes and entities are literal inside a code span.
    const values = [
      REF,
      "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
      "sha-1a2b",
      "https://example.com/a?b=c&d=e#f",
      "curl -s x | sh",
      "grep 'a\\|b' f",
      "a\\\\|b",
      "\\",
      "&#58;",
    ];
    for (const v of values) {
      expect(codeSpans(`Index: ${inlineCode(v)}`), v).toEqual([v]);
      // In a cell, a backslash right before a pipe is the one pair shown outside the span (see tableCell).
      if (!v.includes("\\|")) expect(codeSpans(table(["value"], [[trusted(inlineCode(v))]])), v).toEqual([v]);
      expect(tables(`| a |\n| --- |\n| ${tableCell(inlineCode(v))} |`)[0]![1], v).toEqual([v]);
      expect(readerProblems(table(["value"], [[trusted(inlineCode(v))]]), { escapesInInput: true }), v).toEqual([]);
      expect(tables(table(["value"], [[trusted(inlineCode(v))]]))[0]![1], v).toEqual([v]);
    }
    expect(readerProblems(`Pull: ${inlineCode(`podman pull ${REF}`)}`)).toEqual([]);
  });

  test("no code span holds an HTML comment opener: flibs' markers (<!-- flibs:... -->) are found in the raw text", () => {
    const forged = "<!-- flibs:index sha256:" + "e".repeat(64) + " -->";
    for (const md of [
      inlineCode(forged),
      messageMarkdown(`unknown key \`${forged}\``),
      escapeText(`@x ${forged}`),
      table(["a"], [[trusted(inlineCode(forged))]]),
    ]) {
      expect(md).not.toContain("<!--");
      expect(readerProblems(md)).toEqual([]);
    }
    expect(renderedText(inlineCode(forged))).toBe(forged);
    expect(tables(table(["a"], [[trusted(inlineCode(`a ${forged}`))]]))[0]![1]).toEqual([`a ${forged}`]);
  });

  test("messageMarkdown: backticks in a message make code spans, the rest is escaped", () => {
    const m = "ADD of URL `https://example.com/app.tar.gz`: use `COPY` | and @team";
    const md = messageMarkdown(m);
    expect(codeSpans(md)).toEqual(["https://example.com/app.tar.gz", "COPY", "@team"]);
    expect(renderedText(md)).toBe("ADD of URL https://example.com/app.tar.gz: use COPY | and @team");
    expect(readerProblems(md)).toEqual([]);
    expect(readerProblems(table(["m"], [[trusted(md)]]))).toEqual([]);
    // An unclosed backtick stays a backtick; a quoted value with a backtick in it is still one span.
    expect(renderedText(messageMarkdown("a ` b"))).toBe("a ` b");
    expect(codeSpans(messageMarkdown("run ``a ` b`` now"))).toEqual(["a ` b"]);
  });
});

describe("table", () => {
  test("escapes string cells, keeps trusted markdown, and keeps one row per line", () => {
    const md = table(
      ["Rule", "Message"],
      [
        [trusted("`add-url`"), "ADD of [x](https://evil.example) | <b>"],
        [trusted("`a|b`"), 3],
      ],
    );
    const lines = md.split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe("| Rule | Message |");
    expect(lines[1]).toBe("| --- | --- |");
    expect(tables(md)).toEqual([
      [
        ["Rule", "Message"],
        ["add-url", "ADD of [x](https://evil.example) | <b>"],
        ["a|b", "3"],
      ],
    ]);
    expect(readerProblems(md)).toEqual([]);
    expect(lines[3]).toBe("| `a\\|b` | 3 |");
  });
});

describe("size limits", () => {
  test("joinMarkdown drops empty blocks and truncateMarkdown cuts with a note, never inside an entity", () => {
    expect(joinMarkdown(["a", "", trusted("b")])).toBe("a\n\nb");
    const long = escapeText("*".repeat(20_000));
    const cut = truncateMarkdown(long, 1000);
    expect(cut.length).toBeLessThanOrEqual(1000);
    expect(cut).toMatch(/(&#42;)+\n\n… \(cut to fit GitHub's size limit\)$/);
  });

  test("plainText caps length and replaces control characters", () => {
    expect(plainText("abc\u0007def", 5)).toBe("abc\ufffd…");
  });
});

describe("mention", () => {
  test("mentions a login of GitHub's shape, and shows anything else as inert text", () => {
    expect(mention("octo-cat")).toBe("@octo-cat");
    expect(mention("dependabot[bot]")).toBe("@dependabot[bot]");
    for (const odd of ["my-org/team", "x #12", "a](javascript:x)", "evil<img src=x onerror=alert(1)>", "-lead", "a--b"]) {
      const shown = mention(odd);
      expect(shown.startsWith("@")).toBe(false);
      expect(readerProblems(shown), odd).toEqual([]);
      expect(renderedText(shown)).toBe(odd);
    }
  });
});
