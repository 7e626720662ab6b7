import { describe, expect, it } from "vitest";
import { parseManifest, type Manifest } from "../../../src/core/oci/manifest.js";
import { summarizeImage } from "../../../src/core/oci/summary.js";

const d = (c: string) => `sha256:${c.repeat(64)}`;
const image = (layers: Array<[string, number]>): Manifest =>
  parseManifest({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: d("c"), size: 100 },
    layers: layers.map(([c, size]) => ({ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: d(c), size })),
  });

describe("summarizeImage", () => {
  it("lists platforms with sizes, skips attestation entries and counts shared blobs once", () => {
    const index = parseManifest({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [
        {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          digest: d("1"),
          size: 500,
          platform: { os: "linux", architecture: "amd64" },
        },
        {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          digest: d("2"),
          size: 500,
          platform: { os: "linux", architecture: "arm64", variant: "v8" },
        },
        {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          digest: d("3"),
          size: 500,
          platform: { os: "unknown", architecture: "unknown" },
        },
      ],
    });
    const children = new Map([
      [
        d("1"),
        image([
          ["a", 1000],
          ["b", 10],
        ]),
      ],
      [
        d("2"),
        image([
          ["a", 1000],
          ["e", 20],
        ]),
      ],
    ]);
    const s = summarizeImage(
      "r.example.com/app:1",
      { digest: d("9"), mediaType: "application/vnd.oci.image.index.v1+json", manifest: index },
      children,
    );
    expect(s.kind).toBe("index");
    expect(s.images).toEqual([
      { platform: "linux/amd64", digest: d("1"), mediaType: "application/vnd.oci.image.manifest.v1+json", size: 1110, layers: 2 },
      { platform: "linux/arm64/v8", digest: d("2"), mediaType: "application/vnd.oci.image.manifest.v1+json", size: 1120, layers: 2 },
    ]);
    expect(s.totalSize).toBe(100 + 1000 + 10 + 20);
  });

  it("summarises a single image", () => {
    const m = image([["a", 5]]);
    const s = summarizeImage(
      "x",
      { digest: d("1"), mediaType: "application/vnd.docker.distribution.manifest.v2+json", manifest: m },
      new Map(),
    );
    expect(s).toMatchObject({ kind: "image", totalSize: 105, images: [{ platform: "-", size: 105, layers: 1 }] });
  });

  it("refuses manifests it cannot copy faithfully", () => {
    expect(() => parseManifest({ schemaVersion: 1, name: "x" })).toThrow(/schemaVersion 1 is not supported/);
    expect(() => parseManifest({ schemaVersion: 2, manifests: [{ digest: "sha256:zz", size: 1, mediaType: "x" }] })).toThrow(
      /no valid digest/,
    );
  });
});
