import { describe, expect, it } from "vitest";
import { authorize, helpText, parseComment } from "../../../src/core/commands/index.js";
import { DEFAULT_POLICY } from "../../../src/core/config/index.js";

describe("parseComment", () => {
  it("reads several commands, one per line, in order", () => {
    const r = parseComment("Looks good.\n/ok-to-test\n/retest aarch64 s390x\n/build --scratch\n");
    expect(r.commands).toEqual([
      { name: "ok-to-test" },
      { name: "retest", arches: ["aarch64", "s390x"] },
      { name: "build", scratch: true },
    ]);
    expect(r.problems).toEqual([]);
  });

  it("ignores commands inside code blocks and quotes, and paths", () => {
    const r = parseComment("> /promote\n```\n/promote\n```\nrun /usr/bin/true\n/usr/bin/env\n");
    expect(r.commands).toEqual([]);
    expect(r.problems).toEqual([]);
  });

  it("explains unknown commands and bad arguments", () => {
    const r = parseComment("/retset\n/retest arm64\n/help me\n/build --fast");
    expect(r.commands).toEqual([]);
    expect(r.problems).toEqual([
      "`/retset` is not a flibs command",
      "`/retest`: `arm64` is not an arch (x86_64, aarch64, ppc64le, s390x)",
      "`/help` takes no arguments",
      "`/build` takes only `--scratch`, not `--fast`",
    ]);
  });

  it("echoes comment text only as inline code: backticks, mentions and markup stay inert", () => {
    const r = parseComment("/retest a`b @team <img src=x>");
    expect(r.problems).toEqual(["`/retest`: ``a`b @team <img src=x>`` is not an arch (x86_64, aarch64, ppc64le, s390x)"]);
  });

  it("collapses duplicates and caps the number of commands", () => {
    expect(parseComment("/help\n/help\n").commands).toHaveLength(1);
    const arches = ["x86_64", "aarch64", "s390x", "ppc64le"];
    const distinct = [
      ...arches.map((a) => `/retest ${a}`),
      "/retest x86_64 aarch64",
      "/retest s390x ppc64le",
      "/build",
      "/cancel",
      "/promote",
      "/help",
      "/ok-to-test",
      "/build --scratch",
    ];
    const r = parseComment(distinct.join("\n"));
    expect(r.commands).toHaveLength(10);
    expect(r.problems).toEqual(["only the first 10 commands of a comment are run"]);
  });

  it("treats `/retest` with no arch as all failed arches (empty list)", () => {
    expect(parseComment("/retest").commands).toEqual([{ name: "retest", arches: [] }]);
  });

  it("is case-insensitive for the command word and tolerates CRLF", () => {
    expect(parseComment("/OK-TO-TEST\r\n/Cancel\r\n").commands).toEqual([{ name: "ok-to-test" }, { name: "cancel" }]);
  });
});

describe("authorize", () => {
  it("lets anyone ask for help", () => {
    expect(authorize({ name: "help" }, "stranger", "none", DEFAULT_POLICY)).toEqual({ allowed: true });
  });
  it("needs write to build or approve, maintain to promote (default policy)", () => {
    expect(authorize({ name: "ok-to-test" }, "dev", "write", DEFAULT_POLICY).allowed).toBe(true);
    expect(authorize({ name: "ok-to-test" }, "rando", "read", DEFAULT_POLICY)).toEqual({
      allowed: false,
      reason: "@rando has read access; `/ok-to-test` needs write access to this repository",
    });
    expect(authorize({ name: "promote" }, "dev", "write", DEFAULT_POLICY).allowed).toBe(false);
    expect(authorize({ name: "promote" }, "lead", "admin", DEFAULT_POLICY).allowed).toBe(true);
  });
  it("lists every command in the help text", () => {
    for (const c of ["/build", "/retest", "/ok-to-test", "/cancel", "/promote", "/help"]) expect(helpText()).toContain(c);
  });
});
