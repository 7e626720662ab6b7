import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, flibs } from "./run-flibs.js";

interface Out {
  findings: Array<{ rule: string; severity: string; line: number }>;
}

/**
 * Dockerfiles shaped like Fedora's real layered images (see each fixture's header for the image it
 * follows): the review must run, find what is really there, and raise no false parse errors.
 */
const EXPECTED: Record<string, { code: number; rules: string[] }> = {
  "s2i-core": { code: 0, rules: ["user-missing"] },
  "httpd-micro": { code: 1, rules: ["required-labels"] },
  toolbox: { code: 0, rules: ["user-missing", "dnf-clean-all", "dnf-clean-all", "dnf-clean-all"] },
  "s2i-base-untagged": { code: 1, rules: ["user-missing", "base-image-tag"] },
};

describe("flibs review on Fedora-style layered images", () => {
  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(name, () => {
      const r = flibs(["review", join(FIXTURES, "real", name), "--format", "json"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(expected.code);
      const out = JSON.parse(r.stdout) as Out;
      expect(out.findings.map((f) => f.rule)).not.toContain("dockerfile-parse");
      expect(out.findings.map((f) => f.rule)).not.toContain("internal");
      expect(out.findings.map((f) => f.rule)).toEqual(expected.rules);
    });
  }
});
