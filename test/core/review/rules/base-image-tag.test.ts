import { describe, expect, it } from "vitest";
import { at, hits } from "../helpers.js";

describe("base-image-tag", () => {
  it("accepts a tag, a digest, a stage and scratch", () => {
    expect(hits("base-image-tag", ["FROM registry.fedoraproject.org/fedora:41"])).toEqual([]);
    expect(hits("base-image-tag", [`FROM registry.fedoraproject.org/fedora@sha256:${"a".repeat(64)}`])).toEqual([]);
    expect(hits("base-image-tag", ["FROM quay.io/fedora/fedora:41 AS b", "FROM b", "FROM scratch"])).toEqual([]);
  });
  it("reports an untagged base and `latest`", () => {
    expect(at(hits("base-image-tag", ["FROM registry.fedoraproject.org/fedora"]))).toEqual(["1:6"]);
    expect(hits("base-image-tag", ["FROM registry.fedoraproject.org/fedora:latest"])[0]?.message).toMatch(/uses `latest`/);
  });
  it("does not mistake a registry port for a tag", () => {
    expect(hits("base-image-tag", ["FROM localhost:5000/fedora"])[0]?.message).toMatch(/has no tag/);
    expect(hits("base-image-tag", ["FROM localhost:5000/fedora:41"])).toEqual([]);
  });
});
