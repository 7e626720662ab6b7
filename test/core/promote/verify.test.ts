import { describe, expect, it } from "vitest";
import { formatPromotionKey } from "../../../src/core/promote/promotion-id.js";
import { verifyBuildRecord, verifyPromotionRequest } from "../../../src/core/promote/verify.js";
import { formatIndexMarker } from "../../../src/core/report/index-marker.js";

const SHA = "a".repeat(40);
const TREE = "b".repeat(40);
const DIGEST = `sha256:${"c".repeat(64)}`;
const OTHER = `sha256:${"e".repeat(64)}`;
const promoting = (o: { attempt?: number; ref?: string; status?: string; digest?: string } = {}) => ({
  id: 10,
  name: "flibs/promote",
  status: o.status ?? "in_progress",
  conclusion: null,
  external_id: formatPromotionKey({ id: { sha: SHA, attempt: o.attempt ?? 1 }, ref: o.ref ?? "refs/tags/v1.0.0", deploymentId: 5 }),
  output: { summary: `Promoting\n${formatIndexMarker(o.digest ?? DIGEST)}` },
});
const request = { promotionId: `${SHA}-1`, ref: "refs/tags/v1.0.0", digest: DIGEST, sha: SHA };

describe("the promote job copies only what the App asked for", () => {
  it("accepts the promotion the App's check names, with its digest and ref, while it is in progress", () => {
    expect(verifyPromotionRequest({ ...request, checks: [promoting()] })).toEqual({ ok: true });
  });
  it("refuses a hand-made dispatch: another digest, another ref, an id the App never used, one already over", () => {
    expect(verifyPromotionRequest({ ...request, digest: OTHER, checks: [promoting()] })).toMatchObject({
      ok: false,
      reason: expect.stringContaining(`not ${OTHER}`),
    });
    expect(verifyPromotionRequest({ ...request, ref: "refs/heads/main", checks: [promoting()] })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("is for refs/tags/v1.0.0"),
    });
    expect(verifyPromotionRequest({ ...request, promotionId: `${SHA}-2`, checks: [promoting()] })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("started no promotion"),
    });
    expect(verifyPromotionRequest({ ...request, checks: [promoting({ status: "completed" })] })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("already over"),
    });
    expect(verifyPromotionRequest({ ...request, checks: [] })).toMatchObject({ ok: false });
    expect(verifyPromotionRequest({ ...request, checks: [{ ...promoting(), name: "flibs/build" }] })).toMatchObject({ ok: false });
  });
  it("requires the candidate's build record to describe this index, built from the released tree", () => {
    const record = { indexDigest: DIGEST, tree: TREE, commit: "d".repeat(40) };
    expect(verifyBuildRecord({ record, digest: DIGEST, tree: TREE })).toEqual({ ok: true });
    expect(verifyBuildRecord({ record: undefined, digest: DIGEST, tree: TREE })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("no flibs build record"),
    });
    expect(verifyBuildRecord({ record: { ...record, tree: "f".repeat(40) }, digest: DIGEST, tree: TREE })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("not from the released commit's tree"),
    });
    expect(verifyBuildRecord({ record: { ...record, indexDigest: OTHER }, digest: DIGEST, tree: TREE })).toMatchObject({ ok: false });
    expect(verifyBuildRecord({ record: { indexDigest: DIGEST }, digest: DIGEST, tree: TREE })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("names no tree"),
    });
  });
});
