import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { policySchema } from "../../../src/core/config/index.js";
import { runReview } from "../../../src/core/review/engine.js";
import { RULES, dockerfilePath, review } from "../../../src/core/review/index.js";
import type { Rule } from "../../../src/core/review/index.js";
import { GOOD } from "./helpers.js";

const text = (lines: string[]) => `${lines.join("\n")}\n`;

describe("review", () => {
  it("returns no findings, a summary and the rules for a clean repo", () => {
    const r = review({
      dockerfile: { path: "Dockerfile", text: text(GOOD) },
      containerYaml: { path: "container.yaml", text: "image: demo\n" },
    });
    expect(r.findings).toEqual([]);
    expect(r.summary).toEqual({ errors: 0, warnings: 0, infos: 0, suppressed: 0, files: ["Dockerfile", "container.yaml"] });
    expect(r.config?.image).toBe("demo");
    expect(r.rules.map((x) => x.id)).toEqual(RULES.map((x) => x.id));
  });

  it("sorts findings by file, line and column and counts them by severity", () => {
    const r = review({ dockerfile: { path: "Dockerfile", text: text(["FROM fedora", "MAINTAINER x", "ADD a /a"]) } });
    const lines = r.findings.map((f) => f.line);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    expect(r.summary.errors).toBe(r.findings.filter((f) => f.severity === "error").length);
    expect(r.summary.warnings).toBeGreaterThan(0);
  });

  it("applies the policy's rule levels: a new severity, or off", () => {
    const policy = policySchema.parse({ rules: { "maintainer-deprecated": "error", "add-local-file": "off", "base-image-tag": "info" } });
    const r = review({ dockerfile: { path: "Dockerfile", text: text([...GOOD, "MAINTAINER x", "ADD a /a"]) }, policy });
    expect(r.findings.map((f) => [f.rule, f.severity])).toEqual([["maintainer-deprecated", "error"]]);
    expect(r.rules.find((x) => x.id === "add-local-file")).toBeUndefined();
    expect(r.rules.find((x) => x.id === "base-image-tag")?.severity).toBe("info");
  });

  it("reviews a container.yaml that does not validate and returns no config", () => {
    const r = review({
      dockerfile: { path: "Dockerfile", text: text(GOOD) },
      containerYaml: { path: "container.yaml", text: "platforms: {only: [mips]}\n" },
    });
    expect(r.config).toBeUndefined();
    expect(r.findings.map((f) => [f.rule, f.file, f.line])).toEqual([["config-schema", "container.yaml", 1]]);
  });

  it("turns a throwing rule into an internal finding and runs the others", () => {
    const broken: Rule = {
      id: "broken",
      severity: "warning",
      title: "t",
      doc: "d",
      fix: "f",
      check: () => {
        throw new TypeError("boom\nstack");
      },
    };
    const fine: Rule = {
      id: "fine",
      severity: "info",
      title: "t",
      doc: "d",
      fix: "f",
      check: () => [{ line: 2, column: 3, message: "ok" }],
    };
    const r = runReview({ dockerfile: { path: "Dockerfile", text: text(GOOD) } }, [broken, fine]);
    expect(r.findings.map((f) => [f.rule, f.severity, f.message])).toEqual([
      ["internal", "error", "flibs bug: broken failed: boom"],
      ["fine", "info", "ok"],
    ]);
  });

  it("never throws, whatever the text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 400 }), fc.string({ maxLength: 200 }), (df, yaml) => {
        const r = review({ dockerfile: { path: "Dockerfile", text: df }, containerYaml: { path: "container.yaml", text: yaml } });
        expect(r.findings.every((f) => f.line >= 1 && f.column >= 1)).toBe(true);
      }),
      { numRuns: 300 },
    );
    const words = fc.constantFrom(
      "FROM",
      "RUN",
      "LABEL",
      "ADD",
      "USER",
      "ARG",
      "ENV",
      "# flibs-ignore",
      "\\",
      "\n",
      " ",
      "$X",
      "${",
      "[",
      '"',
      "=",
      "AS",
      "dnf",
      "|",
      "curl",
    );
    fc.assert(
      fc.property(fc.array(words, { maxLength: 60 }), (parts) => {
        expect(() => review({ dockerfile: { path: "Dockerfile", text: parts.join(" ") } })).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});

describe("dockerfilePath", () => {
  it("is what container.yaml names, else Dockerfile", () => {
    expect(dockerfilePath()).toBe("Dockerfile");
    expect(dockerfilePath("dockerfile: ./build/Containerfile\n")).toBe("build/Containerfile");
    expect(dockerfilePath("image: x\n")).toBe("Dockerfile");
    expect(dockerfilePath(": not yaml [")).toBe("Dockerfile");
  });
});

describe("RULES", () => {
  it("has stable kebab-case ids, each once, with a title and a one-paragraph doc", () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of RULES) {
      expect(r.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(["error", "warning", "info"]).toContain(r.severity);
      expect(r.title.length).toBeGreaterThan(5);
      expect(r.doc).not.toContain("\n");
      expect(r.doc.length).toBeGreaterThan(60);
    }
  });
});

describe("review with a hand-made policy", () => {
  it("does not throw when the policy object lacks fields (a rule that fails becomes an internal finding)", () => {
    const r = review({ dockerfile: { path: "Dockerfile", text: text(GOOD) }, policy: {} as never });
    expect(r.findings.every((f) => f.rule === "internal")).toBe(true);
    expect(r.findings.length).toBeGreaterThan(0);
  });
});
