import { describe, expect, it } from "vitest";
import { decidePromotion } from "../../../src/core/plan/promotion.js";
import { externalId } from "../../../src/core/plan/build-id.js";
import {
  findPromotionId,
  formatPromotionKey,
  parsePromotionKey,
  promoteRunName,
  formatStableMarker,
  parseStableMarker,
  referenceUrl,
  stableReference,
  tagOfRef,
} from "../../../src/core/promote/promotion-id.js";
import { buildStateFromChecks, nextPromotionAttempt, promoteChecks, type CheckRunView } from "../../../src/core/promote/tested-build.js";
import { formatIndexMarker, parseIndexMarker } from "../../../src/core/report/index-marker.js";
import { formatPlanMarker } from "../../../src/core/report/plan-marker.js";
import { summarizeBuild } from "../../../src/core/report/build-summary.js";
import { findBuildId } from "../../../src/core/plan/build-id.js";

const SHA = "a".repeat(40);
const TREE = "b".repeat(40);
const DIGEST = `sha256:${"c".repeat(64)}`;

describe("index marker", () => {
  it("round-trips through the flibs/build summary text, only for a successful build", () => {
    const ok = summarizeBuild({
      planned: ["x86_64"],
      results: [{ arch: "x86_64", conclusion: "success", digest: `sha256:${"1".repeat(64)}`, size: 1 }],
      indexDigest: DIGEST,
    });
    expect(ok.conclusion).toBe("success");
    expect(parseIndexMarker(ok.text)).toBe(DIGEST);
    const failed = summarizeBuild({
      planned: ["x86_64", "aarch64"],
      results: [{ arch: "x86_64", conclusion: "success", digest: `sha256:${"1".repeat(64)}` }],
      indexDigest: DIGEST,
    });
    expect(failed.conclusion).toBe("failure");
    expect(parseIndexMarker(failed.text)).toBeUndefined();
  });
  it("refuses to guess: none, or two different digests, give undefined", () => {
    expect(parseIndexMarker("Index: `sha256:...`", null, undefined)).toBeUndefined();
    const other = `sha256:${"d".repeat(64)}`;
    expect(parseIndexMarker(formatIndexMarker(DIGEST), formatIndexMarker(other))).toBeUndefined();
    expect(parseIndexMarker(formatIndexMarker(DIGEST), `x ${formatIndexMarker(DIGEST)}`)).toBe(DIGEST);
    expect(() => formatIndexMarker("sha256:abc")).toThrow(/not an index digest/);
  });
});

describe("promotion ids and keys", () => {
  it("round-trip; a build id parser never takes a promotion run for a build", () => {
    const key = { id: { sha: SHA, attempt: 2 }, deploymentId: 77, ref: "refs/tags/v1.2.3" };
    expect(parsePromotionKey(formatPromotionKey(key))).toEqual(key);
    const waiting = { id: { sha: SHA, attempt: 1 }, ref: "refs/heads/main" };
    expect(formatPromotionKey(waiting)).toBe(`flibs-promote:${SHA}-1:-:refs/heads/main`);
    expect(parsePromotionKey(formatPromotionKey(waiting))).toEqual(waiting);
    expect(findPromotionId(promoteRunName({ sha: SHA, attempt: 3 }))).toEqual({ sha: SHA, attempt: 3 });
    expect(findBuildId(promoteRunName({ sha: SHA, attempt: 3 }))).toBeUndefined();
    expect(findPromotionId(`flibs build ${SHA}.1`)).toBeUndefined();
  });
  it("rejects what flibs did not write", () => {
    for (const bad of [
      null,
      "",
      `flibs:${SHA}.1:summary`,
      `flibs-promote:${SHA}-0:-:refs/heads/main`,
      `flibs-promote:${SHA}-1:-:main`,
      `flibs-promote:${SHA}-1:x:refs/heads/main`,
    ]) {
      expect(parsePromotionKey(bad)).toBeUndefined();
    }
    expect(() => formatPromotionKey({ id: { sha: SHA, attempt: 1 }, ref: "refs/pull/1/head" })).toThrow();
  });
  it("tags and stable references", () => {
    expect(tagOfRef("refs/tags/v1.2.3")).toBe("v1.2.3");
    expect(tagOfRef("refs/heads/main")).toBeUndefined();
    const ref = stableReference("ghcr.io/my-org/", "hello", DIGEST);
    expect(ref).toBe(`ghcr.io/my-org/hello@${DIGEST}`);
    // A page a person can open, never a /v2/ API URL; none for a registry without one (or only plain HTTP).
    expect(referenceUrl(ref)).toBe("https://ghcr.io/my-org/hello");
    expect(referenceUrl(`quay.io/fedora/httpd@${DIGEST}`)).toBe(`https://quay.io/repository/fedora/httpd/manifest/${DIGEST}`);
    expect(referenceUrl(`docker.io/library/busybox@${DIGEST}`)).toBe("https://hub.docker.com/r/_/busybox");
    expect(referenceUrl(`127.0.0.1:5000/stable/hello@${DIGEST}`)).toBeUndefined();
    expect(referenceUrl(`registry.example.com/stable/hello@${DIGEST}`)).toBeUndefined();
    expect(parseStableMarker(`Promoting\n${formatStableMarker(ref)}`)).toBe(ref);
    expect(parseStableMarker("<!-- flibs:stable nothing -->")).toBeUndefined();
  });
});

function check(id: number, name: string, extra: Partial<CheckRunView> = {}): CheckRunView {
  return { id, name, status: "completed", conclusion: "success", ...extra };
}
const build = { sha: SHA, attempt: 1, scratch: false };
function passingChecks(overrides: { scratch?: boolean; aarch64?: string } = {}): CheckRunView[] {
  const id = { ...build, scratch: overrides.scratch ?? false };
  return [
    check(1, "flibs/review"),
    check(2, "flibs/build (x86_64)", { external_id: externalId(id, "x86_64") }),
    check(3, "flibs/build (aarch64)", { external_id: externalId(id, "aarch64"), conclusion: overrides.aarch64 ?? "success" }),
    check(4, "flibs/build", {
      external_id: externalId(id, "summary"),
      output: {
        summary: `Built\n${formatPlanMarker({ arches: ["x86_64", "aarch64"], building: ["x86_64", "aarch64"] })}`,
        text: `table\n${formatIndexMarker(DIGEST)}`,
      },
    }),
  ];
}

describe("reading a build back from its checks", () => {
  it("a passing build of the same tree promotes the digest its summary recorded", () => {
    const s = buildStateFromChecks(SHA, TREE, passingChecks());
    expect(s.state).toBe("done");
    if (s.state !== "done") return;
    expect(s.tested).toMatchObject({ scratch: false, review: "success", build: "success", indexDigest: DIGEST });
    expect(s.tested.arches).toEqual([
      { arch: "x86_64", conclusion: "success" },
      { arch: "aarch64", conclusion: "success" },
    ]);
    expect(decidePromotion({ tree: TREE, tested: s.tested })).toEqual({ action: "promote", digest: DIGEST, from: SHA });
  });
  it("a failed arch, a scratch build, an unmarked check: refused with the reason", () => {
    const failed = buildStateFromChecks(SHA, TREE, passingChecks({ aarch64: "failure" }));
    expect(failed.state === "done" && decidePromotion({ tree: TREE, tested: failed.tested })).toEqual({
      action: "refuse",
      reason: "the build did not pass on aarch64",
    });
    const scratch = buildStateFromChecks(SHA, TREE, passingChecks({ scratch: true }));
    expect(scratch.state === "done" && decidePromotion({ tree: TREE, tested: scratch.tested })).toMatchObject({
      action: "refuse",
      reason: expect.stringMatching(/scratch/),
    });
    // An arch check without flibs' external id is not this build's check: the arch counts as unchecked.
    const unmarked = passingChecks().map((c) => (c.name === "flibs/build (x86_64)" ? { ...c, external_id: null } : c));
    const u = buildStateFromChecks(SHA, TREE, unmarked);
    expect(u.state === "done" && decidePromotion({ tree: TREE, tested: u.tested })).toEqual({
      action: "refuse",
      reason: "no successful flibs/build check of this build for x86_64",
    });
    // A summary without it cannot prove it was not a scratch build.
    const unmarkedSummary = passingChecks().map((c) => (c.name === "flibs/build" ? { ...c, external_id: null } : c));
    const us = buildStateFromChecks(SHA, TREE, unmarkedSummary);
    expect(us.state === "done" && us.tested.scratch).toBe(true);
  });
  it("a summary with no per-arch checks, or with no plan, is never promoted", () => {
    const bare = passingChecks().filter((c) => !c.name.startsWith("flibs/build ("));
    const b = buildStateFromChecks(SHA, TREE, bare);
    expect(b.state === "done" && decidePromotion({ tree: TREE, tested: b.tested })).toEqual({
      action: "refuse",
      reason: "no successful flibs/build check of this build for x86_64, aarch64",
    });
    const planless = passingChecks().map((c) =>
      c.name === "flibs/build" ? { ...c, output: { summary: "Built", text: formatIndexMarker(DIGEST) } } : c,
    );
    const p = buildStateFromChecks(SHA, TREE, planless);
    expect(p.state === "done" && decidePromotion({ tree: TREE, tested: p.tested })).toMatchObject({
      action: "refuse",
      reason: expect.stringContaining("names no arch"),
    });
  });
  it("a /retest's build judges the arches it rebuilt by its own checks, the others by the earlier attempt's", () => {
    const retest = { ...build, attempt: 2 };
    const checks = [
      ...passingChecks({ aarch64: "failure" }).map((c) => (c.name === "flibs/build" ? { ...c, conclusion: "failure" } : c)),
      check(9, "flibs/build (aarch64)", { external_id: externalId(retest, "aarch64") }),
      check(10, "flibs/build", {
        external_id: externalId(retest, "summary"),
        output: { summary: formatPlanMarker({ arches: ["x86_64", "aarch64"], building: ["aarch64"] }), text: formatIndexMarker(DIGEST) },
      }),
    ];
    const s = buildStateFromChecks(SHA, TREE, checks);
    expect(s.state === "done" && s.tested.arches).toEqual([
      { arch: "x86_64", conclusion: "success" },
      { arch: "aarch64", conclusion: "success" },
    ]);
    // Without the retest's own aarch64 check, the earlier failure does not stand in for it.
    const s2 = buildStateFromChecks(
      SHA,
      TREE,
      checks.filter((c) => c.id !== 9),
    );
    expect(s2.state === "done" && s2.tested.arches.find((a) => a.arch === "aarch64")?.conclusion).toBeNull();
  });
  it("no flibs/build is none; a summary not completed is running", () => {
    expect(buildStateFromChecks(SHA, TREE, [check(1, "flibs/review")]).state).toBe("none");
    const running = passingChecks().map((c) => (c.name === "flibs/build" ? { ...c, status: "in_progress", conclusion: null } : c));
    expect(buildStateFromChecks(SHA, TREE, running).state).toBe("running");
  });
  it("promote checks and the next attempt", () => {
    const p = promoteChecks([
      check(5, "flibs/promote", {
        external_id: formatPromotionKey({ id: { sha: SHA, attempt: 2 }, ref: "refs/heads/main", deploymentId: 3 }),
      }),
      check(6, "flibs/promote", { external_id: "someone else's" }),
      ...passingChecks(),
    ]);
    expect(p.map((x) => x.key.id.attempt)).toEqual([2]);
    expect(nextPromotionAttempt(p)).toBe(3);
    expect(nextPromotionAttempt([])).toBe(1);
  });
});

describe("planPromoteDispatch", () => {
  it("carries the tested digest, the ref and the policy's registries and environment", async () => {
    const { parsePolicy } = await import("../../../src/core/config/index.js");
    const { planPromoteDispatch } = await import("../../../src/core/promote/dispatch.js");
    const policy = parsePolicy({
      registries: { candidate: "ghcr.io/my-org/candidates", stable: "ghcr.io/my-org" },
      promote: { environment: "prod" },
    });
    if (!policy.ok) throw new Error(policy.message);
    const plan = planPromoteDispatch({ id: { sha: SHA, attempt: 1 }, ref: "refs/tags/v1.2.3", digest: DIGEST, policy: policy.value });
    expect(plan.ok && plan.value).toEqual({
      workflow: "flibs-promote.yml",
      dispatchRef: "v1.2.3",
      inputs: { sha: SHA, ref: "refs/tags/v1.2.3", digest: DIGEST, promotion_id: `${SHA}-1`, policy: expect.any(String) },
    });
    // The environment is the caller's, fixed in its file: never a dispatch input anyone could set.
    expect(JSON.parse(plan.ok ? plan.value.inputs.policy : "{}")).toEqual({
      candidate: "ghcr.io/my-org/candidates",
      stable: "ghcr.io/my-org",
      insecure_registries: [],
      latest: true,
      runner: ["ubuntu-latest"],
    });
    const noLatest = parsePolicy({
      registries: { candidate: "ghcr.io/my-org/candidates", stable: "ghcr.io/my-org" },
      promote: { latest: false },
    });
    if (!noLatest.ok) throw new Error(noLatest.message);
    const held = planPromoteDispatch({ id: { sha: SHA, attempt: 1 }, ref: "refs/tags/v1.2.3", digest: DIGEST, policy: noLatest.value });
    expect(held.ok && JSON.parse(held.value.inputs.policy).latest).toBe(false);
    const none = parsePolicy({});
    if (!none.ok) throw new Error(none.message);
    const refused = planPromoteDispatch({ id: { sha: SHA, attempt: 1 }, ref: "refs/heads/main", digest: DIGEST, policy: none.value });
    expect(!refused.ok && refused.error.message).toMatch(/names no registries/);
  });
});
