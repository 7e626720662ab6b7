import { describe, expect, it } from "vitest";
import { formatReference, parseReference, parseRepository, referenceTarget } from "../../../src/core/oci/reference.js";
import { referrersFallbackTag, isValidDigest } from "../../../src/core/oci/digest.js";

const D = `sha256:${"a".repeat(64)}`;

describe("parseReference", () => {
  it.each([
    ["alpine", { registry: "docker.io", repository: "library/alpine" }],
    ["alpine:3.20", { registry: "docker.io", repository: "library/alpine", tag: "3.20" }],
    ["my-org/app", { registry: "docker.io", repository: "my-org/app" }],
    ["docker.io/alpine", { registry: "docker.io", repository: "library/alpine" }],
    ["index.docker.io/library/alpine:edge", { registry: "docker.io", repository: "library/alpine", tag: "edge" }],
    ["ghcr.io/my-org/app:1.2.3", { registry: "ghcr.io", repository: "my-org/app", tag: "1.2.3" }],
    ["registry.example.com:5000/a/b/c", { registry: "registry.example.com:5000", repository: "a/b/c" }],
    ["localhost/app", { registry: "localhost", repository: "app" }],
    ["localhost:5000/app:t", { registry: "localhost:5000", repository: "app", tag: "t" }],
    ["127.0.0.1:5000/x/y@" + D, { registry: "127.0.0.1:5000", repository: "x/y", digest: D }],
    ["ghcr.io/o/r:tag@" + D, { registry: "ghcr.io", repository: "o/r", tag: "tag", digest: D }],
    ["[::1]:5000/app", { registry: "[::1]:5000", repository: "app" }],
    ["quay.io/a/b__c.d-e", { registry: "quay.io", repository: "a/b__c.d-e" }],
    ["Registry.Example.com/app", { registry: "registry.example.com", repository: "app" }],
  ])("%s", (input, expected) => {
    expect(parseReference(input)).toEqual(expected);
  });

  it.each([
    ["", /empty/],
    ["ghcr.io/My-Org/app", /lower case/],
    ["ghcr.io/o/r:bad tag", /whitespace/],
    ["ghcr.io/o/r:-tag", /not a valid tag/],
    ["ghcr.io/o/r@sha256:abc", /not a valid digest/],
    ["ghcr.io/o/r@md5:" + "a".repeat(32), /not a valid digest/],
    ["ghcr.io/o//r", /path component/],
    ["ghcr.io/o/r-", /path component/],
    ["ghcr.io/", /empty/],
    ["-bad.io/app", /registry host/],
    [`ghcr.io/${"a".repeat(260)}`, /longer than 255/],
    ["ghcr.io/o/r:" + "t".repeat(129), /not a valid tag/],
  ])("refuses %s", (input, why) => {
    expect(() => parseReference(input)).toThrow(why);
    try {
      parseReference(input);
    } catch (e) {
      expect((e as { code: string }).code).toBe("usage");
    }
  });

  it("round-trips through formatReference and picks the target", () => {
    const r = parseReference(`ghcr.io/o/r:1@${D}`);
    expect(formatReference(r)).toBe(`ghcr.io/o/r:1@${D}`);
    expect(referenceTarget(r)).toBe(D);
    expect(referenceTarget(parseReference("ghcr.io/o/r:1"))).toBe("1");
    expect(referenceTarget(parseReference("ghcr.io/o/r"))).toBe("latest");
  });

  it("parseRepository refuses a tag or digest", () => {
    expect(parseRepository("ghcr.io/o/r")).toEqual({ registry: "ghcr.io", repository: "o/r" });
    expect(() => parseRepository("ghcr.io/o/r:1")).toThrow(/without a tag/);
  });
});

describe("digests", () => {
  it("validates sha256/sha512 and builds the referrers fallback tag", () => {
    expect(isValidDigest(D)).toBe(true);
    expect(isValidDigest(`sha512:${"b".repeat(128)}`)).toBe(true);
    expect(isValidDigest(`sha256:${"A".repeat(64)}`)).toBe(false);
    expect(isValidDigest("sha256:" + "a".repeat(63))).toBe(false);
    expect(referrersFallbackTag(D)).toBe(`sha256-${"a".repeat(64)}`);
  });
});
