import { describe, expect, it } from "vitest";
import { formatPlanMarker, parsePlanMarker } from "../../../src/core/report/plan-marker.js";
import { imageSize, indexArches } from "../../../src/core/report/index-results.js";

const d = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

describe("plan marker", () => {
  it("round-trips inside other text and is an HTML comment", () => {
    const m = formatPlanMarker({ arches: ["x86_64", "aarch64"], building: ["aarch64"], pr: 7 });
    expect(m).toMatch(/^<!-- flibs:plan \{.*\} -->$/);
    expect(parsePlanMarker(`queued\n${m}\nmore`)).toEqual({ arches: ["x86_64", "aarch64"], building: ["aarch64"], pr: 7 });
  });

  it("rejects what it did not write: unknown arches, bad JSON, a bad PR number", () => {
    expect(parsePlanMarker('<!-- flibs:plan {"arches":["sparc"],"building":[]} -->')).toBeUndefined();
    expect(parsePlanMarker("<!-- flibs:plan {nope} -->")).toBeUndefined();
    expect(parsePlanMarker('<!-- flibs:plan {"arches":["x86_64"],"building":["x86_64"],"pr":-1} -->')).toEqual({
      arches: ["x86_64"],
      building: ["x86_64"],
    });
    expect(parsePlanMarker(undefined)).toBeUndefined();
  });
});

describe("index results", () => {
  it("maps platforms to arches, first entry wins, attestations and unknown platforms skipped", () => {
    const index = {
      kind: "index" as const,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [
        { mediaType: "m", digest: d(1), size: 1, platform: { os: "linux", architecture: "arm64" } },
        { mediaType: "m", digest: d(2), size: 1, platform: { os: "linux", architecture: "amd64" } },
        { mediaType: "m", digest: d(3), size: 1, platform: { os: "linux", architecture: "amd64" } },
        { mediaType: "m", digest: d(4), size: 1, platform: { os: "unknown", architecture: "unknown" } },
        { mediaType: "m", digest: d(5), size: 1 },
      ],
    };
    expect(indexArches(index)).toEqual([
      { arch: "aarch64", digest: d(1) },
      { arch: "x86_64", digest: d(2) },
    ]);
  });

  it("an image's size is its config plus its layers", () => {
    const m = {
      kind: "manifest" as const,
      mediaType: "m",
      config: { mediaType: "c", digest: d(1), size: 10 },
      layers: [
        { mediaType: "l", digest: d(2), size: 100 },
        { mediaType: "l", digest: d(3), size: 5 },
      ],
    };
    expect(imageSize(m)).toBe(115);
  });
});
