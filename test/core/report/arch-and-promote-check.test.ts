import { describe, expect, it } from "vitest";
import { archCheckSummary, archCheckTitle, failedConclusion } from "../../../src/core/report/arch-check.js";
import {
  completedPromotion,
  isPromoteCheckName,
  promoteCheckName,
  promotingSummary,
  type PromotionFacts,
} from "../../../src/core/report/promote-check.js";
import { parseIndexMarker } from "../../../src/core/report/index-marker.js";
import { codeSpans, readerProblems } from "../../helpers/markdown.js";

const id = { sha: "a".repeat(40), attempt: 1, scratch: false };
const steps = [
  { name: "Check out the container repo", number: 1, status: "completed", conclusion: "success" },
  { name: "Build, push and test", number: 3, status: "completed", conclusion: "failure" },
];

describe("flibs/build (<arch>)", () => {
  it("a job's error lines are read for a failure or a time-out, never for a pass, a cancel or a skip", () => {
    expect(["failure", "timed_out", "startup_failure"].map(failedConclusion)).toEqual([true, true, true]);
    expect(["success", "cancelled", "skipped", null, undefined].map(failedConclusion)).toEqual([false, false, false, false, false]);
  });

  it("a failed arch names its failing step, shows the error lines and the next command", () => {
    const job = {
      id,
      arch: "aarch64" as const,
      status: "completed" as const,
      conclusion: "failure" as const,
      htmlUrl: "https://github.com/o/r/actions/runs/1/job/2",
      steps,
      errors: ["image test arch failed on aarch64: expected x86_64, got aarch64", "Process completed with exit code 1."],
    };
    expect(archCheckTitle(job)).toBe("aarch64: failed in “Build, push and test”");
    const md = archCheckSummary(job);
    expect(codeSpans(md)).toEqual(expect.arrayContaining(["Build, push and test", "/retest aarch64"]));
    expect(md).toContain("image test arch failed on aarch64: expected x86_64, got aarch64");
    expect(readerProblems(md, { links: ["https://github.com/"] })).toEqual([]);
  });
  it("says what a queued job waits for and where it runs", () => {
    expect(archCheckTitle({ id, arch: "x86_64", status: "queued", labels: ["self-hosted", "linux", "x86_64"] })).toBe(
      "x86_64: waiting for a runner (self-hosted, linux, x86_64)",
    );
    expect(archCheckTitle({ id, arch: "x86_64", status: "in_progress", runnerName: "x86-1" })).toBe("x86_64: building on x86-1");
  });
  it("printed output cannot forge a flibs marker or break out of its block", () => {
    const md = archCheckSummary({
      id,
      arch: "x86_64",
      status: "completed",
      conclusion: "failure",
      steps,
      errors: [`<!-- flibs:index sha256:${"e".repeat(64)} -->`, "```", "@everyone #1"],
    });
    expect(parseIndexMarker(md)).toBeUndefined();
    expect(readerProblems(md)).toEqual([]);
  });
});

describe("flibs/promote (<ref>)", () => {
  const facts: PromotionFacts = {
    ref: "refs/tags/v1.0.0",
    digest: `sha256:${"d".repeat(64)}`,
    testedSha: "b".repeat(40),
    environment: "stable",
    stable: `ghcr.io/my-org/hello@sha256:${"d".repeat(64)}`,
    tags: [
      { tag: "1.0.0", kind: "immutable", reason: "" },
      { tag: "latest", kind: "floating", reason: "" },
    ],
  };
  it("each ref keeps its own check", () => {
    expect(promoteCheckName("refs/heads/main")).toBe("flibs/promote (main)");
    expect(promoteCheckName("refs/tags/v1.0.0")).toBe("flibs/promote (v1.0.0)");
    expect(isPromoteCheckName("flibs/promote (v1.0.0)")).toBe(true);
    expect(isPromoteCheckName("flibs/build")).toBe(false);
  });
  it("a completed promotion keeps the digest, the stable reference, the tags with their kind and the signature; unsigned on a release is a warning", () => {
    const r = completedPromotion(facts, {
      ok: true,
      runConclusion: "success",
      runUrl: "https://github.com/o/r/actions/runs/9",
      signed: false,
    });
    expect(r.title).toBe("Promoted to ghcr.io/my-org/hello for v1.0.0 (unsigned)");
    expect(codeSpans(r.summary)).toEqual(expect.arrayContaining([facts.stable, "1.0.0", "latest"]));
    expect(r.summary).toContain("(immutable)");
    expect(r.summary).toContain("⚠️ **not signed**");
    expect(r.summary).toContain(`podman pull ${facts.stable}`);
    expect(parseIndexMarker(r.summary)).toBe(facts.digest);
    expect(readerProblems(r.summary, { links: ["https://github.com/"], markers: true })).toEqual([]);
    expect(readerProblems(promotingSummary(facts), { markers: true })).toEqual([]);
  });
  it("a failed promotion says nothing was tagged and what to do next", () => {
    const r = completedPromotion(facts, { ok: false, runConclusion: "failure", runUrl: "https://github.com/o/r/actions/runs/9" });
    expect(r).toMatchObject({ conclusion: "failure", title: "Promotion for v1.0.0 failed" });
    expect(codeSpans(r.summary)).toContain("/promote");
  });
});
