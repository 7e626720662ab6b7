import { describe, expect, it } from "vitest";
import { isolationReport, parseIsolation } from "../../../src/core/build/index.js";
import { DEFAULT_POLICY, parsePolicy, parsePolicyText } from "../../../src/core/config/index.js";

describe("build isolation policy", () => {
  it("defaults to oci, and accepts chroot only as an explicit choice", () => {
    expect(DEFAULT_POLICY.build.isolation).toBe("oci");
    const p = parsePolicy({ build: { isolation: "chroot" } });
    expect(p.ok && p.value.build.isolation).toBe("chroot");
    const other = parsePolicy({ build: { component_drift: "fail" } });
    expect(other.ok && other.value.build.isolation).toBe("oci");
  });

  it("refuses an unknown isolation on its YAML line", () => {
    const r = parsePolicyText("build:\n  permission: write\n  isolation: none\n");
    expect(r.ok).toBe(false);
    // Was the schema path (`build.isolation: ...`); config errors now name the value and the choices.
    expect(r.findings.map((f) => [f.line, f.message])).toEqual([[3, "`none` is not a value `isolation` takes: use `oci` or `chroot`"]]);
  });

  it("reads the Action's input: empty is oci, anything else but oci or chroot is a usage error naming it", () => {
    expect(parseIsolation(undefined)).toBe("oci");
    expect(parseIsolation(" ")).toBe("oci");
    expect(parseIsolation("chroot")).toBe("chroot");
    expect(() => parseIsolation("rootless")).toThrow('isolation must be oci or chroot, got "rootless"');
  });

  it("says a chroot build's runner must be ephemeral, and an oci build's need not be", () => {
    const chroot = isolationReport("chroot");
    expect(chroot.ephemeralRunnerRequired).toBe(true);
    expect(chroot.note).toMatch(/runner must be ephemeral/);
    expect(chroot.note).toContain("`build.isolation: chroot`");
    const oci = isolationReport("oci");
    expect(oci.ephemeralRunnerRequired).toBe(false);
    expect(oci.note).not.toMatch(/ephemeral/);
  });
});
