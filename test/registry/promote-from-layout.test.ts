/**
 * The promotion engine with an OCI layout as its source (`flibs promote oci:PATH HOST/REPO`): the index,
 * its images, every blob and the referrers land byte for byte under the layout's digests (skopeo judges),
 * the events a progress display follows come for each blob, and a second run moves nothing.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OciLayout, promote, RegistryClient, sha256Digest, type PromoteEvent } from "../../src/registry/index.js";
import { skopeoInspectRaw, startRegistry, writeOciLayout, type TestRegistry, type WrittenLayout } from "../helpers/registry.js";

const RECORD = "application/vnd.flibs.build-record.v1+json";
const ANY = { registry: "oci", repository: "layout" };
let work: string;
let source: WrittenLayout;
let registry: TestRegistry;
let recordDigest: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "flibs-promote-layout-"));
  // 3 MiB layers: big enough for byte progress events (every MiB).
  source = await writeOciLayout(join(work, "layout"), { layersPerPlatform: 1, sharedLayers: 1, layerSize: 3 << 20 });
  const layout = await OciLayout.open(source.dir);
  const empty = new TextEncoder().encode("{}");
  await layout.pushBlob(ANY, sha256Digest(empty), empty, 2);
  const record = new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      artifactType: RECORD,
      config: { mediaType: "application/vnd.oci.empty.v1+json", digest: sha256Digest(empty), size: 2 },
      layers: [{ mediaType: "application/vnd.oci.empty.v1+json", digest: sha256Digest(empty), size: 2 }],
      subject: { mediaType: "application/vnd.oci.image.index.v1+json", digest: source.indexDigest, size: source.indexBytes.length },
    }),
  );
  recordDigest = await layout.putReferrer(ANY, source.indexDigest, record, "application/vnd.oci.image.manifest.v1+json");
  registry = await startRegistry();
}, 120_000);
afterAll(async () => {
  await registry?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("promote from an OCI layout", () => {
  it("copies the index, images, blobs and the build record by digest, reporting each blob as it goes", async () => {
    const layout = await OciLayout.open(source.dir);
    const events: PromoteEvent[] = [];
    const root = await layout.resolve();
    const report = await promote(new RegistryClient(), {
      source: { ...ANY, digest: root.digest },
      destination: { registry: registry.host, repository: "stable/app" },
      tags: [{ tag: "1.0.0", kind: "immutable", reason: "release" }],
      from: { store: layout, name: `oci:${source.dir}:latest` },
      onEvent: (e) => events.push(e),
    });
    expect(report).toMatchObject({
      source: `oci:${source.dir}:latest`,
      digest: source.indexDigest,
      manifests: { copied: 3, skipped: 0 },
      referrers: { copied: 1, skipped: 0 },
    });
    // 1 shared layer + 2 own layers + 2 configs + the record's empty blob; nothing can be mounted from a layout.
    expect(report.blobs).toMatchObject({ mounted: 0, streamed: 6, skipped: 0 });
    expect((await skopeoInspectRaw(`${registry.host}/stable/app:1.0.0`)).digest).toBe(source.indexDigest);
    for (const m of source.manifests) expect((await skopeoInspectRaw(`${registry.host}/stable/app@${m.digest}`)).digest).toBe(m.digest);
    const referrers = await new RegistryClient().getReferrers({ registry: registry.host, repository: "stable/app" }, source.indexDigest);
    expect(referrers.map((r) => [r.digest, r.artifactType])).toEqual([[recordDigest, RECORD]]);

    const done = events.filter((e) => e.kind === "blob-done");
    expect(done).toHaveLength(6);
    for (const d of done) expect(events.findIndex((e) => e.kind === "blob-start" && e.digest === d.digest)).toBeLessThan(events.indexOf(d));
    const layer = source.manifests[0]!.layers[0]!;
    const bytes = events.filter((e) => e.kind === "blob-bytes" && e.digest === layer.digest).map((e) => (e as { bytes: number }).bytes);
    expect(bytes.length).toBeGreaterThanOrEqual(3);
    expect(bytes.at(-1)).toBe(layer.size);
    expect(
      events
        .filter((e) => e.kind === "manifest-done")
        .map((e) => (e as { referrer: boolean }).referrer)
        .sort(),
    ).toEqual([false, false, false, true]);
  });

  it("moves nothing when run again", async () => {
    const layout = await OciLayout.open(source.dir);
    const report = await promote(new RegistryClient(), {
      source: { ...ANY, tag: "latest" },
      destination: { registry: registry.host, repository: "stable/app" },
      tags: [{ tag: "1.0.0", kind: "immutable", reason: "release" }],
      from: { store: layout, name: "layout" },
    });
    expect(report.digest).toBe(source.indexDigest);
    expect(report.manifests).toEqual({ copied: 0, skipped: 1 });
    expect(report.blobs.streamed).toBe(0);
    expect(report.tags).toEqual([expect.objectContaining({ tag: "1.0.0", action: "unchanged" })]);
  });
});
