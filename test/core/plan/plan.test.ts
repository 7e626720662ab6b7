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
    expect(findBuildId(`build (s390x) ${formatBuildId(id)}`)).toEqual(id);
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
    expect(decideGate({ ...base, authorPermission: "read", fromFork: true, approvedShas: [SHA] })).toEqual({ build: true, because: "approved-sha" });
  });
  it("reads role_name before the legacy permission", () => {
    expect(effectivePermission({ permission: "write", role_name: "maintain" })).toBe("maintain");
    expect(effectivePermission({ permission: "read", role_name: "custom-auditor" })).toBe("read");
    expect(effectivePermission({})).toBe("none");
  });
});

describe("planBuild", () => {
  const config = parseContainerConfig("platforms:\n  not: [s390x]\n");
  it("sends only values the App produced, with runner labels from policy", () => {
    if (!config.ok) throw new Error("fixture");
    const policy = parsePolicy({ runner_labels: { aarch64: ["self-hosted", "arm-big"] } });
    if (!policy.ok) throw new Error("fixture");
    const plan = planBuild({ id: { sha: SHA, attempt: 1, scratch: false }, config: config.value, policy: policy.value, pr: 7 });
    expect(plan.arches).toEqual(["x86_64", "aarch64", "ppc64le"]);
    expect(plan.inputs).toEqual({
      sha: SHA,
      arches: '["x86_64","aarch64","ppc64le"]',
      runner_labels: JSON.stringify({
        x86_64: ["self-hosted", "linux", "x86_64"],
        aarch64: ["self-hosted", "arm-big"],
        ppc64le: ["self-hosted", "linux", "ppc64le"],
      }),
      build_id: `${SHA}.1`,
      pr: "7",
      scratch: "false",
    });
  });
  it("narrows to the retested arches", () => {
    if (!config.ok) throw new Error("fixture");
    const plan = planBuild({ id: { sha: SHA, attempt: 2, scratch: false }, config: config.value, policy: DEFAULT_POLICY, only: ["aarch64", "s390x"] });
    expect(plan.arches).toEqual(["aarch64"]);
    // The index still holds every planned arch: the others come from their per-arch tags.
    const full = planBuild({ id: { sha: SHA, attempt: 2, scratch: false }, config: config.value, policy: DEFAULT_POLICY });
    expect(full.inputs.index_arches).toBeUndefined();
    expect(plan.inputs.index_arches).toBe(JSON.stringify(full.arches));
    expect(full.arches.length).toBeGreaterThan(1);
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
    expect(decidePromotion({ tree: "t1", tested: { ...tested, arches: [{ arch: "x86_64", conclusion: "success" }, { arch: "aarch64", conclusion: "failure" }] } })).toEqual({
      action: "refuse",
      reason: "the build did not pass on aarch64",
    });
    expect(decidePromotion({ tree: "t1", tested: { ...tested, review: "failure" } }).action).toBe("refuse");
    expect(decidePromotion({ tree: "t1", tested: { ...tested, scratch: true } })).toMatchObject({ action: "refuse", reason: expect.stringContaining("scratch") });
    expect(decidePromotion({ tree: "t1", tested: { ...tested, indexDigest: undefined } }).action).toBe("refuse");
  });
});
