import { describe, expect, it } from "vitest";
import { archesToRetest, commitBuilds, gateExternalId, rerunAlreadyStarted, type CheckView } from "../../../src/core/plan/builds.js";
import { externalId } from "../../../src/core/plan/build-id.js";
import { approvalCoversHead } from "../../../src/core/plan/gate.js";

const SHA = "a".repeat(40);
const OTHER = "b".repeat(40);
let nextId = 1;
const check = (name: string, ext: string | null, status = "queued", conclusion: string | null = null): CheckView => ({
  id: nextId++,
  name,
  status,
  conclusion,
  external_id: ext,
});
const id = (attempt: number, scratch = false) => ({ sha: SHA, attempt, scratch });

describe("commitBuilds: what already happened on a commit, from its checks", () => {
  it("nothing yet: attempt 1, no gate", () => {
    const b = commitBuilds(SHA, [check("flibs/review", null, "completed", "success")]);
    expect(b).toMatchObject({ builds: [], nextAttempt: 1 });
    expect(b.waitingForApproval).toBeUndefined();
  });

  it("a gate waits for approval until a build starts; it spends no attempt", () => {
    const gate = check("flibs/build", gateExternalId(SHA), "completed", "action_required");
    expect(commitBuilds(SHA, [gate])).toMatchObject({ waitingForApproval: gate, nextAttempt: 1, builds: [] });
    const built = commitBuilds(SHA, [gate, check("flibs/build", externalId(id(1), "summary"))]);
    expect(built.waitingForApproval).toBeUndefined();
    expect(built.builds.map((x) => x.id.attempt)).toEqual([1]);
  });

  it("the next attempt follows the highest one of any flibs check; other SHAs and foreign ids are ignored", () => {
    const b = commitBuilds(SHA, [
      check("flibs/build", externalId(id(1), "summary")),
      check("flibs/build (aarch64)", externalId(id(3), "aarch64")),
      check("flibs/build", externalId({ sha: OTHER, attempt: 9, scratch: false }, "summary")),
      check("flibs/build", "something-else"),
    ]);
    expect(b.nextAttempt).toBe(4);
    expect(b.builds).toHaveLength(1);
  });

  it("keeps the newest check per arch, and /retest picks failed or missing arches", () => {
    const b = commitBuilds(SHA, [
      check("flibs/build", externalId(id(1), "summary")),
      check("flibs/build (x86_64)", externalId(id(1), "x86_64"), "completed", "success"),
      check("flibs/build (aarch64)", externalId(id(1), "aarch64"), "completed", "failure"),
    ]);
    expect(archesToRetest(["x86_64", "aarch64", "s390x"], b)).toEqual(["aarch64", "s390x"]);
    const after = commitBuilds(SHA, [
      ...[...b.arches.values()].map((a) => a.check),
      check("flibs/build (aarch64)", externalId(id(2), "aarch64"), "in_progress"),
    ]);
    expect(after.arches.get("aarch64")!.id.attempt).toBe(2);
    expect(archesToRetest(["x86_64", "aarch64"], after)).toEqual([]);
  });

  it("a check named like an arch but carrying another arch's id is not that arch's", () => {
    const b = commitBuilds(SHA, [check("flibs/build (aarch64)", externalId(id(1), "x86_64"))]);
    expect(b.arches.size).toBe(0);
  });
});

describe("approvalCoversHead", () => {
  const SHA = "f".repeat(40);
  const gate = (completedAt: string) => ({
    id: 1,
    name: "flibs/build",
    status: "completed",
    conclusion: "action_required",
    external_id: gateExternalId(SHA),
    completed_at: completedAt,
  });
  it("a same-repository head needs no approval to cover it", () => {
    expect(approvalCoversHead({ sha: SHA, fromFork: false, checks: [] })).toEqual({ ok: true });
  });
  it("a comment written before flibs saw the push does not approve the pushed head", () => {
    const r = approvalCoversHead({ sha: SHA, fromFork: true, writtenAt: "2026-11-29T10:00:00Z", checks: [gate("2026-11-29T10:00:05Z")] });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain("written before ffffffffffff was pushed");
  });
  it("a comment written after (or within the same second as) the gate approves it", () => {
    expect(
      approvalCoversHead({ sha: SHA, fromFork: true, writtenAt: "2026-11-29T10:00:05Z", checks: [gate("2026-11-29T10:00:05Z")] }).ok,
    ).toBe(true);
    expect(
      approvalCoversHead({ sha: SHA, fromFork: true, writtenAt: "2026-11-29T10:01:00Z", checks: [gate("2026-11-29T10:00:05Z")] }).ok,
    ).toBe(true);
  });
  it("a fork head flibs has not seen yet cannot be approved", () => {
    const r = approvalCoversHead({ sha: SHA, fromFork: true, writtenAt: "2026-11-29T10:00:00Z", checks: [] });
    expect(!r.ok && r.reason).toContain("flibs has not seen ffffffffffff yet");
  });
});

describe("rerunAlreadyStarted", () => {
  const plan = (building: string[]) => `Build\n<!-- flibs:plan {"arches":["x86_64","aarch64"],"building":${JSON.stringify(building)}} -->`;
  const summary = (attempt: number, building: string[]) => ({
    ...check("flibs/build", externalId(id(attempt), "summary")),
    summary: plan(building),
  });
  it("a later attempt that rebuilds the clicked arch: the click was already acted on", () => {
    expect(rerunAlreadyStarted(externalId(id(1), "aarch64"), "aarch64", [summary(1, ["x86_64", "aarch64"]), summary(2, ["aarch64"])])).toBe(
      true,
    );
  });
  it("a later attempt of other arches only, or none, leaves the click to act on", () => {
    expect(rerunAlreadyStarted(externalId(id(1), "x86_64"), "x86_64", [summary(1, ["x86_64", "aarch64"]), summary(2, ["aarch64"])])).toBe(
      false,
    );
    expect(rerunAlreadyStarted(externalId(id(2), "aarch64"), "aarch64", [summary(1, ["x86_64", "aarch64"]), summary(2, ["aarch64"])])).toBe(
      false,
    );
    expect(rerunAlreadyStarted("not flibs", "aarch64", [summary(2, ["aarch64"])])).toBe(false);
  });
});
