import { describe, expect, it } from "vitest";
import {
  LAYOUT_REF_NAME,
  layoutEntryFor,
  layoutIndexJson,
  parseLayoutIndex,
  parseLayoutReference,
  withReferrer,
  withTag,
  withoutTag,
} from "../../../src/core/oci/layout.js";

const D = (c: string) => `sha256:${c.repeat(64)}`;
const INDEX = "application/vnd.oci.image.index.v1+json";
const MANIFEST = "application/vnd.oci.image.manifest.v1+json";

describe("parseLayoutReference", () => {
  it.each([
    ["oci:out/httpd", { kind: "oci", path: "out/httpd" }],
    ["oci:/abs/out:latest", { kind: "oci", path: "/abs/out", tag: "latest" }],
    ["oci:out:sha-abc", { kind: "oci", path: "out", tag: "sha-abc" }],
    ["oci-archive:img.tar", { kind: "oci-archive", path: "img.tar" }],
    ["oci-archive:/tmp/img.tar:v1", { kind: "oci-archive", path: "/tmp/img.tar", tag: "v1" }],
  ])("%s", (input, expected) => {
    expect(parseLayoutReference(input)).toEqual(expected);
  });

  it("is not a layout reference without the transport prefix", () => {
    expect(parseLayoutReference("ghcr.io/o/r:1")).toBeUndefined();
    expect(parseLayoutReference("docker://ghcr.io/o/r:1")).toBeUndefined();
  });

  it.each([
    ["oci:", /path/],
    ["oci::tag", /path/],
    ["oci:out:bad tag", /not a valid tag/],
    ["oci:out:-x", /not a valid tag/],
  ])("refuses %s", (input, why) => {
    expect(() => parseLayoutReference(input)).toThrow(why);
  });
});

describe("index.json of a layout", () => {
  const a = { mediaType: MANIFEST, digest: D("a"), size: 10 };
  const idx = { mediaType: INDEX, digest: D("b"), size: 20 };
  const rec = { mediaType: MANIFEST, digest: D("c"), size: 30, artifactType: "application/vnd.flibs.build-record.v1+json" };

  it("reads what skopeo and buildah write (no mediaType, annotations on entries)", () => {
    const parsed = parseLayoutIndex(
      `{"schemaVersion":2,"manifests":[{"mediaType":"${MANIFEST}","digest":"${D("a")}","size":10,"annotations":{"${LAYOUT_REF_NAME}":"sha-1-x86_64"}}]}`,
    );
    expect(parsed.manifests).toEqual([{ ...a, annotations: { [LAYOUT_REF_NAME]: "sha-1-x86_64" } }]);
  });

  it("refuses what is not an image index, saying which file", () => {
    expect(() => parseLayoutIndex("{")).toThrow(/index.json is not JSON/);
    expect(() => parseLayoutIndex(`{"schemaVersion":2}`)).toThrow(/index.json/);
  });

  it("a tag names one entry: writing it again moves it, other tags stay", () => {
    let i = withTag({ manifests: [] }, "sha-1-x86_64", a);
    i = withTag(i, "latest", idx);
    i = withTag(i, "latest", { ...idx, digest: D("d") });
    expect(i.manifests.map((m) => [m.annotations?.[LAYOUT_REF_NAME], m.digest])).toEqual([
      ["sha-1-x86_64", D("a")],
      ["latest", D("d")],
    ]);
    expect(withoutTag(i, "sha-1-x86_64").manifests.map((m) => m.digest)).toEqual([D("d")]);
  });

  it("a referrer is an untagged entry (as oras writes them), listed once", () => {
    let i = withTag({ manifests: [] }, "latest", idx);
    i = withReferrer(i, rec);
    i = withReferrer(i, rec);
    expect(i.manifests).toEqual([{ ...idx, annotations: { [LAYOUT_REF_NAME]: "latest" } }, rec]);
  });

  it("finds the image by tag, or the only tagged one when no tag is given", () => {
    const i = withReferrer(withTag({ manifests: [] }, "latest", idx), rec);
    expect(layoutEntryFor(i, "latest")).toMatchObject({ digest: D("b") });
    expect(layoutEntryFor(i, undefined)).toMatchObject({ digest: D("b") });
    expect(() => layoutEntryFor(i, "v2")).toThrow(/no image tagged v2 .*latest/);
    const two = withTag(i, "v2", a);
    expect(() => layoutEntryFor(two, undefined)).toThrow(/more than one image.*latest, v2/);
    // A layout some other tool wrote without ref names, holding one image.
    expect(layoutEntryFor({ manifests: [a] }, undefined)).toMatchObject({ digest: D("a") });
    expect(() => layoutEntryFor({ manifests: [] }, undefined)).toThrow(/holds no image/);
  });

  it("serialises with the index media type, entries in order", () => {
    const text = layoutIndexJson(withTag({ manifests: [] }, "latest", idx));
    expect(JSON.parse(text)).toEqual({
      schemaVersion: 2,
      mediaType: INDEX,
      manifests: [{ ...idx, annotations: { [LAYOUT_REF_NAME]: "latest" } }],
    });
  });
});
