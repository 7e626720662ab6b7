import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { jsonSchemas } from "../../src/core/config/index.js";

type Schema = { properties?: Record<string, Schema>; additionalProperties?: Schema | boolean };

/** Dotted key paths of a JSON Schema, objects expanded one level down. */
function keys(schema: Schema, prefix = ""): string[] {
  return Object.entries(schema.properties ?? {}).flatMap(([k, v]) => {
    const path = prefix + k;
    return v.properties ? keys(v, `${path}.`) : [path];
  });
}

describe("README configuration reference", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("## Configuration"));
  it.each(["container", "policy"] as const)("documents every %s key", (which) => {
    const documented = keys(jsonSchemas()[which] as Schema).filter((k) => {
      const last = k.split(".").pop()!;
      return !section.includes(`\`${k}\``) && !section.includes(`.${last}\``) && !section.includes(`\`${k.split(".")[0]}.<`);
    });
    expect(documented).toEqual([]);
  });
});
