import { describe, expect, it } from "vitest";
import { GOOD, hits } from "../helpers.js";

describe("config-syntax", () => {
  it("reports YAML that does not parse, on its line, and still reviews the Dockerfile", () => {
    const fs = hits("config-syntax", [...GOOD, "ADD a.conf /etc/"], { containerYaml: "image: demo\nplatforms: [x86_64\n" });
    expect(fs).toHaveLength(1);
    expect(fs[0]?.file).toBe("container.yaml");
    expect(fs[0]?.line).toBeGreaterThanOrEqual(2);
    expect(hits("add-local-file", [...GOOD, "ADD a.conf /etc/"], { containerYaml: "a: [" })).toHaveLength(1);
  });
});
