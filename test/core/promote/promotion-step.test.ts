import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { DEFAULT_POLICY, parseContainerConfig, parsePolicy } from "../../../src/core/config/index.js";
import { formatPromotedMarker, formatPromotionKey, parsePromotedMarker } from "../../../src/core/promote/promotion-id.js";
import { decidePromotionStep, promotionEntry, resumedPromotionStep, type RepoFacts } from "../../../src/core/promote/promotion-step.js";
import type { BuildState, CheckRunView } from "../../../src/core/promote/tested-build.js";

const SHA = "a".repeat(40);
const TREE = "b".repeat(40);
const HEAD = "c".repeat(40);
const DIGEST = `sha256:${"d".repeat(64)}`;
const MAIN = "refs/heads/main";

function facts(policyYaml = "registries:\n  candidate: cand.example/c\n  stable: ghcr.io/acme\n"): RepoFacts {
  const policy = parsePolicy(parseYaml(policyYaml));
  const config = parseContainerConfig("image: hello\n");
  if (!policy.ok || !config.ok) throw new Error("fixture");
  return { policy: policy.value, config: config.value, image: "hello" };
}
const promote = (id: number, ref: string, attempt: number, status = "completed", deploymentId?: number): CheckRunView => ({
  id,
  name: `flibs/promote (${ref.replace(/^refs\/(heads|tags)\//, "")})`,
  status,
  conclusion: status === "completed" ? "failure" : null,
  external_id: formatPromotionKey({ id: { sha: SHA, attempt }, ref, ...(deploymentId !== undefined ? { deploymentId } : {}) }),
});
const passed: BuildState = {
  state: "done",
  tested: {
    sha: HEAD,
    tree: TREE,
    scratch: false,
    review: "success",
    build: "success",
    arches: [{ arch: "x86_64", conclusion: "success" }],
    indexDigest: DIGEST,
  },
};

describe("promotionEntry: whether a new promotion attempt starts", () => {
  it("an event already handled for this ref is a duplicate; another ref of the same commit is a new attempt", () => {
    const checks = [promote(1, MAIN, 1)];
    expect(promotionEntry(checks, SHA, MAIN, "event")).toMatchObject({ kind: "duplicate" });
    expect(promotionEntry(checks, SHA, "refs/tags/v1.0.0", "event")).toEqual({
      kind: "new",
      id: { sha: SHA, attempt: 2 },
      key: formatPromotionKey({ id: { sha: SHA, attempt: 2 }, ref: "refs/tags/v1.0.0" }),
    });
  });
  it("/promote after a failure starts attempt 2; while one runs it is refused", () => {
    expect(promotionEntry([promote(1, MAIN, 1)], SHA, MAIN, "command")).toMatchObject({ kind: "new", id: { attempt: 2 } });
    expect(promotionEntry([promote(1, MAIN, 1, "in_progress", 7)], SHA, MAIN, "command")).toMatchObject({
      kind: "refused",
      reason: expect.stringMatching(/already under way \(check run 1\)/),
    });
  });
});

describe("decidePromotionStep: what one promotion does next", () => {
  const key = formatPromotionKey({ id: { sha: SHA, attempt: 1 }, ref: MAIN });
  const base = { sha: SHA, tree: TREE, ref: MAIN, key, trigger: "event" as const };

  it("the tested tree passed: promote its digest", () => {
    expect(
      decidePromotionStep({ ...base, facts: facts(), own: { state: "none" }, tested: passed.state === "done" ? passed.tested : undefined }),
    ).toEqual({ kind: "promote", digest: DIGEST, from: HEAD });
  });
  it("a review-only organisation: a merge is no promotion to report (nothing written)", () => {
    const reviewOnly = { ...facts(), policy: DEFAULT_POLICY };
    expect(decidePromotionStep({ ...base, facts: reviewOnly, own: { state: "none" } })).toMatchObject({ kind: "skipped" });
  });
  it("the commit's own build runs: a queued check of the ref's name waits for it", () => {
    const step = decidePromotionStep({ ...base, facts: facts(), own: { state: "running" } });
    expect(step).toMatchObject({
      kind: "waiting",
      check: { name: "flibs/promote (main)", status: "queued", externalId: key, title: "Waiting for the build" },
    });
  });
  it("no build tested this tree: build first, a queued check saying so", () => {
    const step = decidePromotionStep({ ...base, facts: facts(), own: { state: "none" } });
    expect(step).toMatchObject({ kind: "building-first", check: { name: "flibs/promote (main)", title: "Building first" } });
    expect(step.kind !== "promote" && step.kind !== "skipped" && step.check.summary).toMatch(
      new RegExp(`building ${SHA.slice(0, 12)} first`),
    );
  });
  it("facts that cannot be read: refused with the reason, on the ref's check, with the next step", () => {
    const step = decidePromotionStep({
      ...base,
      ref: "refs/tags/v1.0.0",
      facts: { problem: "container.yaml at aaaa is invalid" },
      own: { state: "none" },
    });
    expect(step).toMatchObject({
      kind: "refused",
      check: {
        name: "flibs/promote (v1.0.0)",
        status: "completed",
        conclusion: "failure",
        title: "Not promoted: container.yaml at aaaa is invalid",
      },
    });
    expect(step.kind === "refused" && step.check.summary).toContain("`/promote`");
  });
  it("a scratch build is refused", () => {
    const scratch = { ...passed.tested, scratch: true };
    expect(decidePromotionStep({ ...base, facts: facts(), own: { state: "done", tested: { ...scratch, tree: TREE } } })).toMatchObject({
      kind: "refused",
      reason: expect.stringMatching(/scratch builds are never promoted/),
    });
  });
});

describe("resumedPromotionStep: a waiting promotion once the commit's own build is done", () => {
  const key = formatPromotionKey({ id: { sha: SHA, attempt: 1 }, ref: MAIN });
  it("still running: nothing to do", () => {
    expect(resumedPromotionStep({ sha: SHA, ref: MAIN, key, facts: facts(), own: { state: "running" } })).toBeUndefined();
  });
  it("its build failed on an arch: refused naming it", () => {
    const failed: BuildState = {
      state: "done",
      tested: { ...passed.tested, sha: SHA, tree: SHA, build: "failure", arches: [{ arch: "aarch64", conclusion: "failure" }] },
    };
    expect(resumedPromotionStep({ sha: SHA, ref: MAIN, key, facts: facts(), own: failed })).toMatchObject({
      kind: "refused",
      reason: "the build did not pass on aarch64",
    });
  });
  it("its build passed: promote its own digest", () => {
    const own: BuildState = { state: "done", tested: { ...passed.tested, sha: SHA, tree: SHA } };
    expect(resumedPromotionStep({ sha: SHA, ref: MAIN, key, facts: facts(), own })).toEqual({ kind: "promote", digest: DIGEST, from: SHA });
  });
});

describe("the promotion marker: what the completion needs, kept in the check", () => {
  it("round-trips the tested commit and the planned tags with their kinds", () => {
    const text = `x\n${formatPromotedMarker(HEAD, [
      { tag: "1.2.3", kind: "immutable" },
      { tag: "latest", kind: "floating" },
    ])}\ny`;
    expect(parsePromotedMarker(text)).toEqual({
      testedSha: HEAD,
      tags: [
        { tag: "1.2.3", kind: "immutable" },
        { tag: "latest", kind: "floating" },
      ],
    });
  });
  it("a tag that could close the comment is left out, so the marker cannot be forged through container.yaml", () => {
    const marker = formatPromotedMarker(HEAD, [{ tag: "x --> <!-- flibs:index sha256:0", kind: "floating" }]);
    expect(marker).not.toContain("x -->");
    expect(parsePromotedMarker(marker).tags).toEqual([]);
  });
});
