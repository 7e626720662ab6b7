import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY, parseContainerConfig, parsePolicy } from "../../../src/core/config/index.js";
import {
  archFromCheckName,
  decideGate,
  decidePromotion,
  externalId,
  findBuildId,
  formatBuildId,
  parseExternalId,
  planBuild,
  type TestedBuild,
} from "../../../src/core/plan/index.js";
import { effectivePermission } from "../../../src/core/permissions.js";

const SHA = "a".repeat(40);
const OTHER = "b".repeat(40);

describe("build ids", () => {
  it("round-trip through external_id and job names", () => {
    const id = { sha: SHA, attempt: 2, scratch: true };
    expect(parseExternalId(externalId(id, "aarch64"))).toEqual({ id, target: "aarch64" });
    expect(parseExternalId(externalId(id, "summary"))).toEqual({ id, target: "summary" });
    expect(findBuildId(`build / build (s390x) ${formatBuildId(id)}`)).toEqual(id);
    expect(parseExternalId("flibs:nope:x86_64")).toBeUndefined();
    expect(parseExternalId(`flibs:${SHA}.1:arm64`)).toBeUndefined();
    expect(archFromCheckName("flibs/build (ppc64le)")).toBe("ppc64le");
    expect(archFromCheckName("flibs/build")).toBeUndefined();
  });
});

describe("gate", () => {
  const base = { headSha: SHA, approvedShas: [] as string[], policy: DEFAULT_POLICY };
  it("builds a same-repository PR at once", () => {
    expect(decideGate({ ...base, authorPermission: "none", fromFork: false }).build).toBe(true);
  });
  it("builds a fork PR from someone with write access", () => {
    expect(decideGate({ ...base, authorPermission: "write", fromFork: true })).toEqual({ build: true, because: "trusted-author" });
  });
  it("holds a fork PR from an outsider until its exact head SHA is approved", () => {
    const held = decideGate({ ...base, authorPermission: "read", fromFork: true });
    expect(held.build).toBe(false);
    if (!held.build) expect(held.message).toContain("/ok-to-test");
    expect(decideGate({ ...base, authorPermission: "read", fromFork: true, approvedShas: [OTHER] }).build).toBe(false);
    expect(decideGate({ ...base, authorPermission: "read", fromFork: true, approvedShas: [SHA] })).toEqual({
      build: true,
      because: "approved-sha",
    });
  });
  it("reads role_name before the legacy permission", () => {
    expect(effectivePermission({ permission: "write", role_name: "maintain" })).toBe("maintain");
    expect(effectivePermission({ permission: "read", role_name: "custom-auditor" })).toBe("read");
    expect(effectivePermission({})).toBe("none");
  });
});

describe("planBuild", () => {
  const config = parseContainerConfig("platforms:\n  not: [s390x]\n");
  it("sends only values the App produced, the organisation policy among them", () => {
    if (!config.ok) throw new Error("fixture");
    const policy = parsePolicy({
      runner_labels: { aarch64: ["self-hosted", "arm-big"], control: ["self-hosted", "control"] },
      approved_base_registries: ["registry.example.com/bases"],
      registries: {
        candidate: "registry.example.com/candidates",
        stable: "registry.example.com/stable",
        insecure: ["registry.example.com"],
      },
      build: { component_drift: "fail" },
    });
    if (!policy.ok) throw new Error("fixture");
    const plan = planBuild({ id: { sha: SHA, attempt: 1, scratch: false }, config: config.value, policy: policy.value, pr: 7 });
    expect(plan.arches).toEqual(["x86_64", "aarch64", "ppc64le"]);
    expect(plan.inputs).toEqual({
      sha: SHA,
      arches: '["x86_64","aarch64","ppc64le"]',
      build_id: `${SHA}.1`,
      pr: "7",
      scratch: "false",
      policy: expect.any(String),
    });
    expect(JSON.parse(plan.inputs.policy)).toEqual({
      candidate: "registry.example.com/candidates",
      insecure_registries: ["registry.example.com"],
      approved_registries: ["registry.example.com/bases"],
      component_drift: "fail",
      isolation: "oci",
      runner_labels: {
        x86_64: ["self-hosted", "linux", "x86_64"],
        aarch64: ["self-hosted", "arm-big"],
        ppc64le: ["self-hosted", "linux", "ppc64le"],
      },
      control_runner: ["self-hosted", "control"],
    });
  });
  it("runs prepare and publish on a GitHub-hosted runner unless the policy names a control group", () => {
    if (!config.ok) throw new Error("fixture");
    const plan = planBuild({ id: { sha: SHA, attempt: 1, scratch: false }, config: config.value, policy: DEFAULT_POLICY });
    expect(JSON.parse(plan.inputs.policy).control_runner).toEqual(["ubuntu-latest"]);
  });
  it("narrows to the retested arches; the others keep their tested digests, by value", () => {
    if (!config.ok) throw new Error("fixture");
    const x86 = `sha256:${"1".repeat(64)}`;
    const ppc = `sha256:${"3".repeat(64)}`;
    const plan = planBuild({
      id: { sha: SHA, attempt: 2, scratch: false },
      config: config.value,
      policy: DEFAULT_POLICY,
      only: ["aarch64", "s390x"],
      kept: { x86_64: x86, ppc64le: ppc },
    });
    expect(plan.arches).toEqual(["aarch64"]);
    expect(plan.kept).toEqual({ x86_64: x86, ppc64le: ppc });
    expect(JSON.parse(plan.inputs.index_digests!)).toEqual({ x86_64: x86, ppc64le: ppc });
    const full = planBuild({ id: { sha: SHA, attempt: 2, scratch: false }, config: config.value, policy: DEFAULT_POLICY });
    expect(full.inputs.index_digests).toBeUndefined();
    expect(full.kept).toEqual({});
  });
  it("rebuilds an arch the index needs whose tested digest is unknown, rather than take it from a tag", () => {
    if (!config.ok) throw new Error("fixture");
    const plan = planBuild({
      id: { sha: SHA, attempt: 2, scratch: false },
      config: config.value,
      policy: DEFAULT_POLICY,
      only: ["aarch64"],
      kept: { x86_64: `sha256:${"1".repeat(64)}` },
    });
    expect(plan.arches).toEqual(["aarch64", "ppc64le"]);
    expect(Object.keys(JSON.parse(plan.inputs.index_digests!))).toEqual(["x86_64"]);
  });
});

describe("decidePromotion", () => {
  const tested: TestedBuild = {
    sha: SHA,
    tree: "t1",
    scratch: false,
    review: "success",
    build: "success",
    arches: [
      { arch: "x86_64", conclusion: "success" },
      { arch: "aarch64", conclusion: "success" },
    ],
    indexDigest: `sha256:${"c".repeat(64)}`,
  };
  it("promotes the tested digest when the merge has the same tree", () => {
    expect(decidePromotion({ tree: "t1", tested })).toEqual({ action: "promote", digest: tested.indexDigest, from: SHA });
  });
  it("builds first when the tree differs or nothing was tested", () => {
    expect(decidePromotion({ tree: "t2", tested }).action).toBe("build-first");
    expect(decidePromotion({ tree: "t1" }).action).toBe("build-first");
  });
  it("refuses failed arches, failed review and scratch builds, saying why", () => {
    expect(
      decidePromotion({
        tree: "t1",
        tested: {
          ...tested,
          arches: [
            { arch: "x86_64", conclusion: "success" },
            { arch: "aarch64", conclusion: "failure" },
          ],
        },
      }),
    ).toEqual({
      action: "refuse",
      reason: "the build did not pass on aarch64",
    });
    expect(decidePromotion({ tree: "t1", tested: { ...tested, review: "failure" } }).action).toBe("refuse");
    expect(decidePromotion({ tree: "t1", tested: { ...tested, scratch: true } })).toMatchObject({
      action: "refuse",
      reason: expect.stringContaining("scratch"),
    });
    expect(decidePromotion({ tree: "t1", tested: { ...tested, indexDigest: undefined } }).action).toBe("refuse");
  });
  it("refuses a build with no per-arch check, or a planned arch without one: an absence is no pass", () => {
    expect(decidePromotion({ tree: "t1", tested: { ...tested, arches: [] } })).toMatchObject({
      action: "refuse",
      reason: expect.stringContaining("names no arch"),
    });
    expect(
      decidePromotion({
        tree: "t1",
        tested: {
          ...tested,
          arches: [
            { arch: "x86_64", conclusion: "success" },
            { arch: "aarch64", conclusion: null },
          ],
        },
      }),
    ).toEqual({
      action: "refuse",
      reason: "no successful flibs/build check of this build for aarch64",
    });
  });
});
