import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { RULES } from "../../src/core/review/index.js";
import { FIXTURES, flibs } from "./run-flibs.js";

/** The OASIS SARIF 2.1.0 schema (draft-04), read for Ajv's default draft. */
function sarifValidator() {
  const path = createRequire(import.meta.url).resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json");
  const schema = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  delete schema.$schema;
  schema.$id = schema.id;
  delete schema.id;
  return new Ajv({ strict: false, allErrors: true, validateFormats: false, unicodeRegExp: false }).compile(schema);
}

interface SarifLog {
  version: string;
  runs: Array<{
    tool: {
      driver: {
        name: string;
        rules: Array<{ id: string; shortDescription: { text: string }; help: { text: string }; defaultConfiguration: { level: string } }>;
      };
    };
    results: Array<{
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }>;
    }>;
  }>;
}

describe("flibs review --format sarif", () => {
  const validate = sarifValidator();

  it("is valid SARIF 2.1.0 with the fields GitHub code scanning reads", () => {
    const r = flibs(["review", join(FIXTURES, "errors"), "--format", "sarif"]);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout) as SarifLog;
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    expect(log.version).toBe("2.1.0");
    const run = log.runs[0];
    expect(run?.tool.driver.name).toBe("flibs");
    expect(run?.tool.driver.rules.map((x) => x.id)).toEqual(RULES.map((x) => x.id));
    for (const rule of run?.tool.driver.rules ?? []) {
      expect(rule.shortDescription.text.length).toBeGreaterThan(0);
      expect(rule.help.text.length).toBeGreaterThan(0);
    }
    expect(run?.results).toHaveLength(10);
    const userRoot = run?.results.find((x) => x.ruleId === "user-root");
    expect(userRoot).toMatchObject({
      level: "error",
      locations: [{ physicalLocation: { artifactLocation: { uri: "Dockerfile" }, region: { startLine: 11, startColumn: 1 } } }],
    });
    for (const res of run?.results ?? []) expect(run?.tool.driver.rules[res.ruleIndex]?.id).toBe(res.ruleId);
    expect(run?.results.find((x) => x.ruleId === "maintainer-deprecated")?.level).toBe("warning");
  });

  it("is valid with no results and with findings in container.yaml", () => {
    for (const name of ["clean", "bad-config"]) {
      const log = JSON.parse(flibs(["review", join(FIXTURES, name), "--format", "sarif"]).stdout) as SarifLog;
      expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    }
    const bad = JSON.parse(flibs(["review", join(FIXTURES, "bad-config"), "--format", "sarif"]).stdout) as SarifLog;
    expect(bad.runs[0]?.results[0]?.locations[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: "container.yaml", uriBaseId: "%SRCROOT%" },
      region: { startLine: 3, startColumn: 18 },
    });
  });

  it("rejects a log that breaks the schema (the validator is real)", () => {
    expect(validate({ version: "2.1.0", runs: [{ tool: { driver: {} } }] })).toBe(false);
  });
});
