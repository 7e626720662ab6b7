import { describe, expect, it } from "vitest";
import { review } from "../../../../src/core/review/index.js";

describe("dockerfile-missing", () => {
  it("is an error on the path container.yaml names when the Dockerfile is absent", () => {
    const r = review({ containerYaml: { path: "container.yaml", text: "dockerfile: build/Containerfile\n" } });
    expect(r.findings).toEqual([
      {
        rule: "dockerfile-missing",
        severity: "error",
        file: "build/Containerfile",
        line: 1,
        column: 1,
        message: "no build/Containerfile in the repository",
      },
    ]);
  });
  it("defaults to Dockerfile", () => {
    expect(review({}).findings.map((f) => [f.rule, f.file])).toEqual([["dockerfile-missing", "Dockerfile"]]);
  });
});
