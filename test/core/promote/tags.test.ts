import { describe, expect, it } from "vitest";
import { decideTagWrites, ImmutableTagError, planTags, tagKind, type PlannedTag } from "../../../src/core/promote/tags.js";
import { compareVersions, parseVersion, versionTag } from "../../../src/core/promote/version.js";
import { describePromotion, formatBytes } from "../../../src/core/promote/report.js";

const D1 = `sha256:${"1".repeat(64)}`;
const D2 = `sha256:${"2".repeat(64)}`;

function tagsOf(input: Parameters<typeof planTags>[0]): string[] {
  const r = planTags(input);
  if (!r.ok) throw r.error;
  return r.value.tags.map((t) => `${t.tag}:${t.kind}`);
}

describe("versions", () => {
  it("parses release git tags and orders them like SemVer", () => {
    expect(parseVersion("v1.2.3")).toEqual({ major: 1, minor: 2, patch: 3 });
    expect(parseVersion("refs/tags/v1.3.0-rc.1")).toEqual({ major: 1, minor: 3, patch: 0, prerelease: "rc.1" });
    expect(parseVersion("1.2.3+build.7")?.build).toBe("build.7");
    for (const bad of ["v1.2", "1.2.3.4", "v01.2.3", "release-1", "v1.2.3-", ""]) expect(parseVersion(bad), bad).toBeUndefined();
    const sorted = ["1.0.0", "1.0.0-rc.1", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta.11", "1.0.0-beta.2", "0.9.9", "1.0.1"]
      .map((t) => parseVersion(t)!)
      .sort(compareVersions)
      .map(versionTag);
    expect(sorted).toEqual(["0.9.9", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1"]);
    expect(versionTag(parseVersion("v2.0.0+meta.1")!)).toBe("2.0.0_meta.1");
  });
});

describe("planTags", () => {
  it("gives 1.2.3 (immutable) and 1.2, 1, latest (floating) for v1.2.3", () => {
    expect(tagsOf({ gitTag: "v1.2.3" })).toEqual(["1.2.3:immutable", "1.2:floating", "1:floating", "latest:floating"]);
  });

  it("never moves latest or the floating tags for a pre-release", () => {
    const r = planTags({ gitTag: "v1.3.0-rc.1" });
    expect(r.ok && r.value.tags.map((t) => t.tag)).toEqual(["1.3.0-rc.1"]);
    expect(r.ok && r.value.held.map((t) => t.tag)).toEqual(["latest"]);
  });

  it("holds latest, with the reason, when the policy says promote.latest: false", () => {
    const r = planTags({ gitTag: "v1.2.3", moveLatest: false });
    expect(r.ok && r.value.tags.map((t) => t.tag)).toEqual(["1.2.3", "1.2", "1"]);
    expect(r.ok && r.value.held.map((t) => `${t.tag} (${t.reason})`)).toEqual([
      "latest (the organisation policy says promote.latest: false)",
    ]);
  });

  it("keeps floating tags from moving back to an older release", () => {
    const r = planTags({ gitTag: "v1.2.4", existingTags: ["1.2.3", "1.3.0", "2.0.0-rc.1", "latest", "1"] });
    expect(r.ok && r.value.tags.map((t) => t.tag)).toEqual(["1.2.4", "1.2"]);
    expect(r.ok && r.value.held.map((t) => `${t.tag} (${t.reason})`)).toEqual([
      "1 (1.3.0 is newer than 1.2.4)",
      "latest (1.3.0 is newer than 1.2.4)",
    ]);
    // A pre-release elsewhere does not hold latest back.
    expect(tagsOf({ gitTag: "v1.3.1", existingTags: ["2.0.0-rc.1", "1.3.0"] })).toContain("latest:floating");
  });

  it("adds extra tags, immutable when they look like a full version", () => {
    expect(tagsOf({ extraTags: ["stable", "2.0.1", "latest"] })).toEqual(["stable:floating", "2.0.1:immutable", "latest:floating"]);
    expect(tagsOf({ gitTag: "v1.0.0", extraTags: ["latest", "prod"] })).toEqual([
      "1.0.0:immutable",
      "1.0:floating",
      "1:floating",
      "latest:floating",
      "prod:floating",
    ]);
    expect(tagKind("v3.1.4")).toBe("immutable");
    expect(tagKind("3.1")).toBe("floating");
  });

  it("refuses a git tag that is not a version and an invalid extra tag", () => {
    const a = planTags({ gitTag: "release-7" });
    expect(!a.ok && a.error.code).toBe("usage");
    expect(!a.ok && a.error.message).toMatch(/not a release version/);
    const b = planTags({ extraTags: ["bad tag"] });
    expect(!b.ok && b.error.message).toMatch(/not a valid tag/);
  });
});

describe("decideTagWrites", () => {
  const planned: PlannedTag[] = [
    { tag: "latest", kind: "floating", reason: "" },
    { tag: "1.2.3", kind: "immutable", reason: "" },
    { tag: "1.2", kind: "floating", reason: "" },
  ];

  it("creates absent tags, moves floating ones, keeps those already right, release tags first", () => {
    const r = decideTagWrites(
      planned,
      new Map([
        ["latest", D2],
        ["1.2.3", D1],
        ["1.2", undefined],
      ]),
      D1,
      "r/app",
    );
    expect(r.ok && r.value).toEqual([
      { tag: "1.2.3", kind: "immutable", action: "unchanged" },
      { tag: "latest", kind: "floating", action: "move", from: D2 },
      { tag: "1.2", kind: "floating", action: "create" },
    ]);
  });

  it("refuses to move a release tag with a typed error", () => {
    const r = decideTagWrites(planned, new Map([["1.2.3", D2]]), D1, "ghcr.io/my-org/app");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toBeInstanceOf(ImmutableTagError);
    expect(r.error.code).toBe("refused");
    expect(r.error).toMatchObject({ tag: "1.2.3", current: D2, wanted: D1 });
    expect(r.error.message).toMatch(/release tag and already points at sha256:2{64}; refusing to move it/);
  });
});

describe("promotion report", () => {
  it("describes what moved", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(104857600)).toBe("100.0 MiB");
    const lines = describePromotion({
      source: "a/b:1",
      destination: "c/d",
      digest: D1,
      mediaType: "x",
      manifests: { copied: 3, skipped: 0 },
      blobs: { mounted: 4, streamed: 0, skipped: 1, bytesStreamed: 0 },
      referrers: { copied: 1, skipped: 0 },
      tags: [{ tag: "1.2", kind: "floating", action: "move", from: D2 }],
      requests: 20,
    });
    expect(lines).toEqual([
      `promoted a/b:1 -> c/d@${D1}`,
      "  manifests: 3 copied, 0 already there",
      "  blobs: 4 mounted, 0 streamed (0 B), 1 already there",
      "  referrers: 1 copied, 0 already there",
      `  tag 1.2 (floating): moved from ${D2}`,
    ]);
  });
});
