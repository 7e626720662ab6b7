import { describe, expect, test } from "vitest";
import { escapeCell, escapeText, inlineCode, joinMarkdown, mention, plainText, table, trusted, truncateMarkdown } from "../../src/core/markdown.js";

const ZWSP = "\u200b";
/** What a reader sees once GitHub decodes the numeric entities (zero-width spaces are invisible). */
const decoded = (s: string) => s.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n))).replaceAll(ZWSP, "");

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
    expect(out).not.toMatch(/[<>[\]()`*_|~\\\n\r]/);
    expect(out).not.toMatch(/@[A-Za-z0-9]/);
    expect(out.replace(/&#\d+;/g, "")).not.toMatch(/#[0-9A-Za-z]/);
    expect(out).not.toMatch(/https?:\/\//);
    expect(out).not.toMatch(/www\./i);
    // every `&` starts one of our numeric entities, so none of the input's entities survive
    expect(out.replace(/&#\d+;/g, "")).not.toContain("&");
  });

  test.each(nasty)("still reads as the same characters: %j", (input) => {
    expect(decoded(escapeText(input))).toBe(input.replace(/\r\n?|\n/g, " "));
  });

  test("plain words stay readable as they are", () => {
    expect(escapeText("base image uses latest tag")).toBe("base image uses latest tag");
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

  test("inlineCode shows text verbatim in a fence longer than any backtick run, with pipes escaped", () => {
    expect(inlineCode("dnf install -y x")).toBe("`dnf install -y x`");
    expect(inlineCode("a ``b`` c")).toBe("```a ``b`` c```");
    expect(inlineCode("`start")).toBe("`` `start ``");
    expect(inlineCode("a | b")).toBe("`a \\| b`");
    expect(inlineCode("two\nlines")).toBe("`two lines`");
    expect(inlineCode("")).toBe("");
  });
});

describe("table", () => {
  test("escapes string cells, keeps trusted markdown, and keeps one row per line", () => {
    const md = table(["Rule", "Message"], [[trusted("`add-url`"), "ADD of [x](https://evil.example) | <b>"], [trusted("`a|b`"), 3]]);
    const lines = md.split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe("| Rule | Message |");
    expect(lines[1]).toBe("| --- | --- |");
    expect(lines[2]).toMatch(/^\| `add-url` \| ADD of &#91;x&#93;&#40;https&#58;\u200b\/\/evil\.example&#41; &#124; &#60;b&#62; \|$/);
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
      expect(shown).not.toMatch(/[<>[\]()]/);
    }
  });
});
