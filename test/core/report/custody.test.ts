import { describe, expect, it } from "vitest";
import { formatDigestsMarker, parseDigestsMarker, verifyIndexCustody } from "../../../src/core/report/custody.js";
import { archDigestNotice, indexDigestNotice } from "../../../src/core/report/job-notices.js";
import { formatPlanMarker, parsePlanMarker } from "../../../src/core/report/plan-marker.js";
import { summarizeBuild } from "../../../src/core/report/build-summary.js";
import { keptDigests, planArchChecks } from "../../../src/core/plan/builds.js";
import { externalId } from "../../../src/core/plan/build-id.js";
import { parseArchDigests } from "../../../src/core/build/oci-index.js";

const d = (c: string) => `sha256:${c.repeat(64)}`;
const X = d("1");
const A = d("2");
const EVIL = d("e");

describe("the tested digest travels by value", () => {
  const base = { planned: ["x86_64", "aarch64"] as const, building: ["x86_64", "aarch64"] as const, kept: {} };
  it("accepts an index whose children are exactly the digests the arch jobs reported", () => {
    const r = verifyIndexCustody({
      ...base,
      reported: new Map([
        ["x86_64", X],
        ["aarch64", A],
      ]),
      children: [
        { arch: "x86_64", digest: X },
        { arch: "aarch64", digest: A },
      ],
    });
    expect(r).toEqual({
      ok: true,
      digests: new Map([
        ["x86_64", X],
        ["aarch64", A],
      ]),
    });
  });
  it("refuses an index holding another image than the one tested (a moved tag), a missing arch, an extra one", () => {
    const reported = new Map([
      ["x86_64", X],
      ["aarch64", A],
    ] as const);
    expect(
      verifyIndexCustody({
        ...base,
        reported,
        children: [
          { arch: "x86_64", digest: X },
          { arch: "aarch64", digest: EVIL },
        ],
      }),
    ).toMatchObject({ ok: false, reason: expect.stringContaining("not the tested") });
    expect(verifyIndexCustody({ ...base, reported, children: [{ arch: "x86_64", digest: X }] })).toMatchObject({
      ok: false,
      reason: "the index holds no aarch64 image",
    });
    expect(
      verifyIndexCustody({
        ...base,
        reported,
        children: [
          { arch: "x86_64", digest: X },
          { arch: "aarch64", digest: A },
          { arch: "s390x", digest: EVIL },
        ],
      }),
    ).toMatchObject({ ok: false, reason: expect.stringContaining("s390x") });
    expect(
      verifyIndexCustody({
        ...base,
        reported: new Map([["x86_64", X]]),
        children: [
          { arch: "x86_64", digest: X },
          { arch: "aarch64", digest: A },
        ],
      }),
    ).toMatchObject({ ok: false, reason: "no tested digest was reported for aarch64" });
  });
  it("a /retest's kept arch must carry the digest recorded for it, not whatever its tag says now", () => {
    const retest = { planned: ["x86_64", "aarch64"] as const, building: ["aarch64"] as const, kept: { x86_64: X } };
    expect(
      verifyIndexCustody({
        ...retest,
        reported: new Map([["aarch64", A]]),
        children: [
          { arch: "x86_64", digest: X },
          { arch: "aarch64", digest: A },
        ],
      }).ok,
    ).toBe(true);
    expect(
      verifyIndexCustody({
        ...retest,
        reported: new Map([["aarch64", A]]),
        children: [
          { arch: "x86_64", digest: EVIL },
          { arch: "aarch64", digest: A },
        ],
      }).ok,
    ).toBe(false);
  });
  it("digests and plan markers round-trip and ignore what is not a digest", () => {
    expect(parseDigestsMarker(`x ${formatDigestsMarker(new Map([["x86_64", X]]))}`)).toEqual({ x86_64: X });
    expect(parseDigestsMarker('<!-- flibs:digests {"x86_64":"sha256:abc","arm64":"' + X + '"} -->')).toEqual({});
    const plan = {
      arches: ["x86_64", "aarch64"] as ("x86_64" | "aarch64")[],
      building: ["aarch64"] as "aarch64"[],
      pr: 3,
      run: 42,
      kept: { x86_64: X },
    };
    expect(parsePlanMarker(formatPlanMarker(plan))).toEqual(plan);
  });
});

describe("what the Action reports in its job's annotations", () => {
  const notice = (title: string, message: string) => ({ annotation_level: "notice", title, message });
  it("reads the digest of an arch and of the index", () => {
    expect(archDigestNotice([notice("flibs digest (aarch64)", A), notice("flibs digest (x86_64)", X)], "aarch64")).toEqual({
      ok: true,
      value: A,
    });
    expect(indexDigestNotice([notice("flibs index", `${X}\n`)])).toEqual({ ok: true, value: X });
    expect(archDigestNotice([], "aarch64")).toEqual({ ok: true, value: undefined });
  });
  it("never guesses between two values, and takes no warning or error for a report", () => {
    expect(archDigestNotice([notice("flibs digest (aarch64)", A), notice("flibs digest (aarch64)", EVIL)], "aarch64")).toMatchObject({
      ok: false,
    });
    expect(indexDigestNotice([{ annotation_level: "warning", title: "flibs index", message: X }])).toEqual({ ok: true, value: undefined });
    expect(indexDigestNotice([notice("flibs index", "latest")])).toMatchObject({ ok: false });
  });
});

describe("build.yml's combined matrix outputs", () => {
  it("are read as arch -> digest, the other legs' empty outputs ignored", () => {
    expect(parseArchDigests(JSON.stringify({ "digest-x86_64": X, "digest-aarch64": A, "digest-s390x": "" }))).toEqual(
      new Map([
        ["x86_64", X],
        ["aarch64", A],
      ]),
    );
    expect(() => parseArchDigests(JSON.stringify({ "digest-x86_64": "", "digest-aarch64": "" }))).toThrow(/empty/);
    expect(parseArchDigests("{}", "kept-digests", { allowEmpty: true })).toEqual(new Map());
  });
});

describe("closing flibs/build", () => {
  const ok = {
    planned: ["x86_64"] as const,
    results: [{ arch: "x86_64" as const, conclusion: "success", digest: X }],
    indexDigest: d("9"),
  };
  it("a run that did not succeed never closes it as a success, even with an index", () => {
    expect(summarizeBuild({ ...ok, runConclusion: "success" }).conclusion).toBe("success");
    const failed = summarizeBuild({ ...ok, runConclusion: "failure" });
    expect(failed.conclusion).toBe("failure");
    expect(failed.title).toContain("The run ended failure");
  });
  it("an arch whose job never reported is no pass", () => {
    const s = summarizeBuild({ ...ok, results: [{ arch: "x86_64", digest: X }], runConclusion: "success" });
    expect(s.conclusion).toBe("failure");
    expect(s.title).toContain("No result from x86_64");
  });
});

describe("which check judges each arch", () => {
  const sha = "a".repeat(40);
  const first = { sha, attempt: 1, scratch: false };
  const second = { sha, attempt: 2, scratch: false };
  const c = (id: number, name: string, ext: string, conclusion = "success", summary?: string) => ({
    id,
    name,
    status: "completed",
    conclusion,
    external_id: ext,
    ...(summary ? { summary } : {}),
  });
  it("takes the build's own check for an arch it built, the earlier attempt's for one it kept", () => {
    const checks = [
      c(1, "flibs/build (x86_64)", externalId(first, "x86_64")),
      c(2, "flibs/build (aarch64)", externalId(first, "aarch64"), "failure"),
      c(3, "flibs/build (aarch64)", externalId(second, "aarch64")),
    ];
    const judged = planArchChecks(second, { arches: ["x86_64", "aarch64"], building: ["aarch64"] }, checks);
    expect(judged.get("x86_64")?.id).toBe(1);
    expect(judged.get("aarch64")?.id).toBe(3);
    expect(
      planArchChecks(second, { arches: ["x86_64", "aarch64"], building: ["x86_64", "aarch64"] }, checks).get("x86_64"),
    ).toBeUndefined();
  });
  it("a retest keeps the digests the newest closed build of the same kind recorded", () => {
    const m1 = formatDigestsMarker(new Map([["x86_64", EVIL]]));
    const m2 = formatDigestsMarker(
      new Map([
        ["x86_64", X],
        ["aarch64", A],
      ]),
    );
    const summaries = [
      c(5, "flibs/build", externalId(first, "summary"), "success", m1),
      c(6, "flibs/build", externalId(second, "summary"), "failure", m2),
      c(
        7,
        "flibs/build",
        externalId({ ...second, attempt: 3, scratch: true }, "summary"),
        "success",
        formatDigestsMarker(new Map([["x86_64", EVIL]])),
      ),
    ];
    expect(keptDigests(second, summaries)).toEqual({ x86_64: X, aarch64: A });
  });
});
