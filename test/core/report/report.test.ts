import { describe, expect, it } from "vitest";
import { readerProblems, tables } from "../../helpers/markdown.js";
import { jobCheckUpdate } from "../../../src/core/report/job-check.js";
import { summarizeBuild } from "../../../src/core/report/build-summary.js";

describe("jobCheckUpdate", () => {
  it("moves a check forward with the job's log link", () => {
    expect(jobCheckUpdate({ status: "queued" }, { action: "in_progress", htmlUrl: "https://github.com/o/r/actions/runs/1/job/2", startedAt: "2026-01-01T00:00:00Z" })).toEqual({
      status: "in_progress",
      details_url: "https://github.com/o/r/actions/runs/1/job/2",
      started_at: "2026-01-01T00:00:00Z",
    });
    expect(jobCheckUpdate({ status: "in_progress" }, { action: "completed", conclusion: "failure" })).toEqual({ status: "completed", conclusion: "failure" });
  });
  it("never moves backwards or repeats (duplicates and out-of-order deliveries)", () => {
    expect(jobCheckUpdate({ status: "completed", conclusion: "success" }, { action: "in_progress" })).toBeUndefined();
    expect(jobCheckUpdate({ status: "completed", conclusion: "success" }, { action: "completed", conclusion: "failure" })).toBeUndefined();
    expect(jobCheckUpdate({ status: "in_progress" }, { action: "in_progress" })).toBeUndefined();
    expect(jobCheckUpdate({ status: "in_progress" }, { action: "queued" })).toBeUndefined();
  });
  it("goes straight from queued to completed when in_progress was lost", () => {
    expect(jobCheckUpdate({ status: "queued" }, { action: "completed", conclusion: "cancelled" })).toMatchObject({ status: "completed", conclusion: "cancelled" });
  });
  it("maps an unknown job conclusion to failure", () => {
    expect(jobCheckUpdate({ status: "queued" }, { action: "completed", conclusion: "startup_failure" })).toMatchObject({ conclusion: "failure" });
  });
});

describe("summarizeBuild", () => {
  const d = (c: string) => `sha256:${c.repeat(64)}`;
  it("passes when every planned arch succeeded and is in the index", () => {
    const s = summarizeBuild({
      planned: ["x86_64", "aarch64"],
      results: [
        { arch: "x86_64", conclusion: "success", digest: d("1"), size: 5 * 1024 * 1024 },
        { arch: "aarch64", conclusion: "success", digest: d("2"), size: 2048 },
      ],
      indexDigest: d("3"),
    });
    expect(s.conclusion).toBe("success");
    expect(s.text).toContain("| x86_64 | success | `" + d("1") + "` | 5.0 MiB |");
    expect(s.text).toContain(d("3"));
  });
  it("fails naming the arch missing from the index", () => {
    const s = summarizeBuild({
      planned: ["x86_64", "aarch64", "s390x"],
      results: [
        { arch: "x86_64", conclusion: "success", digest: d("1") },
        { arch: "aarch64", conclusion: "success", digest: d("2") },
      ],
      indexDigest: d("3"),
    });
    expect(s).toMatchObject({ conclusion: "failure", missing: ["s390x"] });
    expect(s.title).toContain("missing from the index: s390x");
  });
  it("escapes text it did not produce", () => {
    const s = summarizeBuild({ planned: ["x86_64"], results: [{ arch: "x86_64", conclusion: "<img src=x>|@team" }] });
    expect(s.text).not.toContain("<img");
    // Was `not.toContain("@team")` on the markdown written (a zero-width space broke it); now as rendered: the
    // mention is code, not a mention, and the cell reads as typed.
    expect(readerProblems(s.text)).toEqual([]);
    expect(tables(s.text)[0]![1]![1]).toBe("<img src=x>|@team");
  });
});
