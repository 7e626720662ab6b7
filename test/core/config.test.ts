import { describe, expect, it } from "vitest";
import {
  DEFAULT_POLICY,
  jsonSchemas,
  parseContainerConfig,
  parsePolicy,
  plannedArches,
  runnerLabels,
} from "../../src/core/config/index.js";

describe("container.yaml", () => {
  it("reports a schema error on the line of the offending value", () => {
    const r = parseContainerConfig("image: fedora/httpd\nplatforms:\n  only: [x86_64, arm64]\n");
    expect(r.ok).toBe(false);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ rule: "config-schema", file: "container.yaml", line: 3, severity: "error" });
    expect(r.findings[0]!.message).toContain("platforms.only.1");
  });

  it("reports an unknown key on its own line", () => {
    const r = parseContainerConfig("image: x\ntests:\n  - name: smoke\n    comand: true\n");
    expect(r.ok).toBe(false);
    expect(r.findings.map((f) => [f.line, f.message])).toEqual([
      [3, "tests.0.command: is required"],
      [4, "tests.0.comand: unknown key `comand`"],
    ]);
  });

  it("reports YAML syntax errors with a line", () => {
    const r = parseContainerConfig("image: x\nplatforms: [x86_64\n");
    expect(r.ok).toBe(false);
    expect(r.findings[0]!.rule).toBe("config-syntax");
    expect(r.findings[0]!.line).toBeGreaterThanOrEqual(2);
  });

  it("treats a missing or empty file as all defaults", () => {
    const r = parseContainerConfig(undefined);
    expect(r.ok && r.value.dockerfile).toBe("Dockerfile");
  });

  it("applies OSBS platforms only/not against the policy's arches, in fixed order", () => {
    const r = parseContainerConfig("platforms:\n  only: [s390x, x86_64, aarch64]\n  not: [aarch64]\n");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(plannedArches(r.value, DEFAULT_POLICY)).toEqual(["x86_64", "s390x"]);
    const policy = parsePolicy({ arches: ["x86_64", "aarch64"] });
    expect(policy.ok && plannedArches(r.value, policy.value)).toEqual(["x86_64"]);
  });
});

describe("policy", () => {
  it("defaults runner labels to self-hosted, linux, arch", () => {
    expect(runnerLabels(DEFAULT_POLICY, "ppc64le")).toEqual(["self-hosted", "linux", "ppc64le"]);
    const p = parsePolicy({ runner_labels: { aarch64: ["arm-pool"] } });
    expect(p.ok && runnerLabels(p.value, "aarch64")).toEqual(["arm-pool"]);
  });

  it("defaults required labels to the Fedora container guidelines' set", () => {
    expect(DEFAULT_POLICY.required_labels).toEqual(["com.redhat.component", "name", "version", "summary", "maintainer"]);
  });

  it("rejects unknown policy keys with a path", () => {
    const p = parsePolicy({ registriez: {} });
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.message).toContain("registriez");
  });
});

describe("JSON Schema", () => {
  it("is generated from the same schema and knows OSBS's platforms", () => {
    const s = jsonSchemas().container as { properties: Record<string, { properties?: Record<string, unknown> }> };
    expect(Object.keys(s.properties.platforms!.properties!)).toEqual(["only", "not"]);
  });
});
