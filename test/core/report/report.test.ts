import { describe, expect, it } from "vitest";
import { codeSpans, readerProblems, renderedText, tables } from "../../helpers/markdown.js";
import { jobCheckUpdate } from "../../../src/core/report/job-check.js";
import { summarizeBuild } from "../../../src/core/report/build-summary.js";

describe("jobCheckUpdate", () => {
  it("moves a check forward with the job's log link", () => {
    expect(
      jobCheckUpdate(
        { status: "queued" },
        { action: "in_progress", htmlUrl: "https://github.com/o/r/actions/runs/1/job/2", startedAt: "2026-01-01T00:00:00Z" },
      ),
    ).toEqual({
      status: "in_progress",
      details_url: "https://github.com/o/r/actions/runs/1/job/2",
      started_at: "2026-01-01T00:00:00Z",
    });
    expect(jobCheckUpdate({ status: "in_progress" }, { action: "completed", conclusion: "failure" })).toEqual({
      status: "completed",
      conclusion: "failure",
    });
  });
  it("never moves backwards or repeats (duplicates and out-of-order deliveries)", () => {
    expect(jobCheckUpdate({ status: "completed", conclusion: "success" }, { action: "in_progress" })).toBeUndefined();
    expect(jobCheckUpdate({ status: "completed", conclusion: "success" }, { action: "completed", conclusion: "failure" })).toBeUndefined();
    expect(jobCheckUpdate({ status: "in_progress" }, { action: "in_progress" })).toBeUndefined();
    expect(jobCheckUpdate({ status: "in_progress" }, { action: "queued" })).toBeUndefined();
  });
  it("goes straight from queued to completed when in_progress was lost", () => {
    expect(jobCheckUpdate({ status: "queued" }, { action: "completed", conclusion: "cancelled" })).toMatchObject({
      status: "completed",
      conclusion: "cancelled",
    });
  });
  it("maps an unknown job conclusion to failure", () => {
    expect(jobCheckUpdate({ status: "queued" }, { action: "completed", conclusion: "startup_failure" })).toMatchObject({
      conclusion: "failure",
    });
  });
});

describe("summarizeBuild", () => {
  const d = (c: string) => `sha256:${c.repeat(64)}`;
  it("passes when every planned arch succeeded and is in the index; the index reads as copied, with a pull line", () => {
    const s = summarizeBuild({
      planned: ["x86_64", "aarch64"],
      results: [
        {
          arch: "x86_64",
          conclusion: "success",
          digest: d("1"),
          size: 5 * 1024 * 1024,
          jobUrl: "https://github.com/o/r/actions/runs/1/job/2",
        },
        { arch: "aarch64", conclusion: "success", digest: d("2"), size: 2048 },
      ],
      indexDigest: d("3"),
      indexRef: "127.0.0.1:5999/cand/acme/httpd",
      runConclusion: "success",
    });
    expect(s.conclusion).toBe("success");
    expect(tables(s.text)[0]![1]).toEqual(["x86_64", "passed", d("1"), "5.0 MiB", "log"]);
    // The reference in its code span is exactly what a maintainer copies.
    expect(codeSpans(s.text)).toContain(`127.0.0.1:5999/cand/acme/httpd@${d("3")}`);
    expect(s.text).toContain(`podman pull 127.0.0.1:5999/cand/acme/httpd@${d("3")}`);
    expect(readerProblems(s.text, { links: ["https://github.com/"], markers: true })).toEqual([]);
  });
  it("fails naming the arch missing from the index", () => {
    const s = summarizeBuild({
      planned: ["x86_64", "aarch64", "s390x"],
      results: [
        { arch: "x86_64", conclusion: "success", digest: d("1") },
        { arch: "aarch64", conclusion: "success", digest: d("2") },
      ],
      indexDigest: d("3"),
      runConclusion: "success",
    });
    expect(s).toMatchObject({ conclusion: "failure", missing: ["s390x"] });
    expect(s.title).toContain("No result from s390x");
  });
  it("a red build names the failing step, shows its error lines and the next command; publish is stated once, passed arches are not called missing", () => {
    const s = summarizeBuild({
      planned: ["x86_64", "aarch64"],
      results: [
        { arch: "x86_64", conclusion: "success", digest: d("1") },
        {
          arch: "aarch64",
          conclusion: "failure",
          failedStep: "Build, push and test",
          errors: ["image test arch failed on aarch64: expected x86_64"],
        },
      ],
      runConclusion: "failure",
    });
    expect(s.conclusion).toBe("failure");
    expect(s.title).toBe("Failed on aarch64 in “Build, push and test”");
    expect(s.text).toContain("image test arch failed on aarch64: expected x86_64");
    expect(codeSpans(s.text)).toContain("/retest aarch64");
    expect(s.text.match(/No index was published/g)).toHaveLength(1);
    expect(s.text).not.toMatch(/missing/i);
    expect(s.text).not.toMatch(/could not be read/);
    expect(readerProblems(s.text)).toEqual([]);
  });
  it("a problem of flibs' own setup says so and who fixes it, never blames the PR", () => {
    const s = summarizeBuild({
      planned: ["x86_64"],
      results: [{ arch: "x86_64", conclusion: "success", digest: d("1") }],
      runConclusion: "success",
      publish: { conclusion: "success" },
      problem: { text: "the candidate registry answered 401 to the App's credentials", setup: true },
    });
    expect(s.title).toBe("Built, but not recorded: flibs' setup needs attention");
    expect(s.text).toContain("This is not the pull request's doing");
    expect(codeSpans(s.text)).toContain("/build");
  });
  it("a publish that failed after every arch passed: a sentence that says so, and the next command", () => {
    const s = summarizeBuild({
      planned: ["x86_64", "aarch64"],
      results: [
        { arch: "x86_64", conclusion: "success", digest: d("1") },
        { arch: "aarch64", conclusion: "success", digest: d("2") },
      ],
      runConclusion: "failure",
      runUrl: "https://github.com/my-org/hello/actions/runs/9",
      publish: { conclusion: "failure" },
      problem: { text: "the publish job ended failure: no index was published", setup: false },
    });
    expect(s.title).toBe("Built and tested, but the publish job ended failure: no index was published");
    expect(renderedText(s.text).split("\n")[0]).toBe(
      "❌ Every arch was built and tested, but the publish job ended failure: no index was published.",
    );
    // Every arch passed, so /retest has nothing to rebuild: /build builds and publishes again.
    expect(s.text).toMatch(/\*\*Next:\*\* .*publish job.*log/);
    expect(codeSpans(s.text)).toContain("/build");
    expect(codeSpans(s.text)).not.toContain("/retest");
    expect(s.text.match(/no index was published/gi)).toHaveLength(1);
    expect(readerProblems(s.text, { links: ["https://github.com/my-org/hello/actions/runs/9"] })).toEqual([]);
  });
  it("a run that did not succeed never closes it as a success, even with every arch and an index", () => {
    const s = summarizeBuild({
      planned: ["x86_64"],
      results: [{ arch: "x86_64", conclusion: "success", digest: d("1") }],
      indexDigest: d("3"),
      runConclusion: "failure",
    });
    expect(s.conclusion).toBe("failure");
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
