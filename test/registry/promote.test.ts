import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseReference, parseRepository } from "../../src/core/oci/reference.js";
import { planTags, ImmutableTagError, type PlannedTag } from "../../src/core/promote/tags.js";
import { credentialsFrom, promote, RegistryClient } from "../../src/registry/index.js";
import {
  pushTestImage,
  skopeoInspectRaw,
  skopeoListTags,
  startRegistry,
  type PushedImage,
  type TestRegistry,
} from "../helpers/registry.js";

const digestOf = (b: Uint8Array): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;

function tagsFor(gitTag: string, existingTags: string[] = []): PlannedTag[] {
  const r = planTags({ gitTag, existingTags });
  if (!r.ok) throw r.error;
  return r.value.tags;
}

async function judgeTags(ref: string, tags: string[], creds?: TestRegistry["credentials"]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of tags) out[t] = (await skopeoInspectRaw(`${ref}:${t}`, creds)).digest;
  return out;
}

describe("promote against real registries", () => {
  let a: TestRegistry;
  let b: TestRegistry;
  let img1: PushedImage;
  let img2: PushedImage;
  let img3: PushedImage;
  const clientFor = () =>
    new RegistryClient({
      credentials: credentialsFrom({ [b.host]: { kind: "basic", username: "stable", password: "pw-stable" } }),
      retry: { retries: 2, baseDelayMs: 20 },
    });

  beforeAll(async () => {
    [a, b] = await Promise.all([startRegistry(), startRegistry({ auth: { username: "stable", password: "pw-stable" } })]);
    img1 = await pushTestImage(a, "candidates/app:pr-1", { layersPerPlatform: 2, sharedLayers: 1, layerSize: 40_000 });
    img2 = await pushTestImage(a, "candidates/app:pr-2", { layersPerPlatform: 1, layerSize: 30_000 });
    img3 = await pushTestImage(a, "candidates/app:pr-3", { layersPerPlatform: 1, layerSize: 20_000 });
  });
  afterAll(async () => {
    await Promise.all([img1?.cleanup(), img2?.cleanup(), img3?.cleanup()]);
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it("inside one registry mounts every blob (0 bytes through the client), keeps the digest and writes 1.2.3, 1.2, 1, latest", async () => {
    const client = clientFor();
    const report = await promote(client, {
      source: parseReference(`${a.host}/candidates/app:pr-1`),
      destination: parseRepository(`${a.host}/stable/app`),
      tags: tagsFor("v1.2.3"),
    });
    expect(report.digest).toBe(img1.indexDigest);
    expect(report.blobs).toEqual({ mounted: 7, streamed: 0, skipped: 0, bytesStreamed: 0 }); // 1 shared + 2x2 layers + 2 configs
    expect(client.stats.blobBytesDownloaded + client.stats.blobBytesUploaded).toBe(0);
    expect(report.manifests).toEqual({ copied: 3, skipped: 0 });
    const judged = await judgeTags(`${a.host}/stable/app`, ["1.2.3", "1.2", "1", "latest"]);
    expect(new Set(Object.values(judged))).toEqual(new Set([img1.indexDigest]));
    for (const m of img1.manifests) expect((await skopeoInspectRaw(`${a.host}/stable/app@${m.digest}`)).digest).toBe(m.digest);
  });

  it("is idempotent: a second run copies nothing and changes no tag", async () => {
    const client = clientFor();
    const report = await promote(client, {
      source: parseReference(`${a.host}/candidates/app@${img1.indexDigest}`),
      destination: parseRepository(`${a.host}/stable/app`),
      tags: tagsFor("v1.2.3", await skopeoListTags(`${a.host}/stable/app`)),
    });
    expect(report.manifests).toEqual({ copied: 0, skipped: 1 });
    expect(report.blobs.mounted + report.blobs.streamed).toBe(0);
    expect(report.tags.every((t) => t.action === "unchanged")).toBe(true);
  });

  it("across registries streams blobs, verified, into an htpasswd-protected registry with the same digests", async () => {
    const client = clientFor();
    const report = await promote(client, {
      source: parseReference(`${a.host}/candidates/app:pr-1`),
      destination: parseRepository(`${b.host}/released/app`),
      tags: tagsFor("v1.2.3"),
    });
    expect(report.blobs.streamed).toBe(7);
    expect(report.blobs.mounted).toBe(0);
    const total = img1.blobBytes;
    expect(report.blobs.bytesStreamed).toBe(total);
    expect(client.stats.blobBytesDownloaded).toBe(total);
    expect(client.stats.blobBytesUploaded).toBe(total);
    const judged = await skopeoInspectRaw(`${b.host}/released/app:1.2.3`, b.credentials);
    expect(judged.digest).toBe(img1.indexDigest);
    expect(judged.raw).toBe(img1.indexBytes.toString());
    for (const m of img1.manifests)
      expect((await skopeoInspectRaw(`${b.host}/released/app@${m.digest}`, b.credentials)).digest).toBe(m.digest);
  });

  it("refuses to move a release tag, leaves it as it was and copies nothing", async () => {
    const client = clientFor();
    const err = await promote(client, {
      source: parseReference(`${a.host}/candidates/app:pr-2`),
      destination: parseRepository(`${a.host}/stable/app`),
      tags: tagsFor("v1.2.3"),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImmutableTagError);
    expect((err as ImmutableTagError).message).toMatch(/tag 1\.2\.3 .* release tag and already points at/);
    expect((await skopeoInspectRaw(`${a.host}/stable/app:1.2.3`)).digest).toBe(img1.indexDigest);
    expect(await client.headManifest(parseReference(`${a.host}/stable/app@${img2.indexDigest}`))).toBeUndefined();
  });

  it("moves floating tags to a newer release, and a pre-release moves none of them", async () => {
    const client = clientFor();
    const dest = parseRepository(`${a.host}/stable/app`);
    const r = await promote(client, {
      source: parseReference(`${a.host}/candidates/app:pr-2`),
      destination: dest,
      tags: tagsFor("v1.2.4", await client.listTags(dest)),
    });
    expect(r.tags.map((t) => `${t.tag}:${t.action}`)).toEqual(["1.2.4:create", "1.2:move", "1:move", "latest:move"]);
    const rc = await promote(client, {
      source: parseReference(`${a.host}/candidates/app:pr-3`),
      destination: dest,
      tags: tagsFor("v1.3.0-rc.1", await client.listTags(dest)),
    });
    expect(rc.tags.map((t) => t.tag)).toEqual(["1.3.0-rc.1"]);
    const judged = await judgeTags(`${a.host}/stable/app`, ["1.2.3", "1.2.4", "1.2", "1", "latest", "1.3.0-rc.1"]);
    expect(judged).toEqual({
      "1.2.3": img1.indexDigest,
      "1.2.4": img2.indexDigest,
      "1.2": img2.indexDigest,
      "1": img2.indexDigest,
      latest: img2.indexDigest,
      "1.3.0-rc.1": img3.indexDigest,
    });
    // An older patch after a newer one: 1.2.3 exists immutably; promoting v1.1.9 must not move 1 or latest back.
    const old = await promote(client, {
      source: parseReference(`${a.host}/candidates/app:pr-3`),
      destination: dest,
      tags: tagsFor("v1.1.9", await client.listTags(dest)),
    });
    expect(old.tags.map((t) => t.tag)).toEqual(["1.1.9", "1.1"]);
    expect((await skopeoInspectRaw(`${a.host}/stable/app:latest`)).digest).toBe(img2.indexDigest);
  });

  it("carries the index's referrers (build record, signature) and finishes a half-done copy", async () => {
    const client = clientFor();
    const src = { registry: a.host, repository: "candidates/app" };
    const cfg = new TextEncoder().encode('{"note":"build record"}');
    await client.pushBlob(src, digestOf(cfg), cfg, cfg.byteLength);
    const artifact = (type: string, subject: string, size: number) =>
      new TextEncoder().encode(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          artifactType: type,
          config: { mediaType: "application/vnd.oci.empty.v1+json", digest: digestOf(cfg), size: cfg.byteLength },
          layers: [{ mediaType: "application/json", digest: digestOf(cfg), size: cfg.byteLength }],
          subject: { mediaType: "application/vnd.oci.image.index.v1+json", digest: subject, size },
        }),
      );
    const record = await client.putReferrer(
      src,
      img3.indexDigest,
      artifact("application/vnd.flibs.build-record+json", img3.indexDigest, img3.indexBytes.byteLength),
      "application/vnd.oci.image.manifest.v1+json",
    );
    const sig = await client.putReferrer(
      src,
      img3.indexDigest,
      artifact("application/vnd.dev.cosign.artifact.sig.v1+json", img3.indexDigest, img3.indexBytes.byteLength),
      "application/vnd.oci.image.manifest.v1+json",
    );

    // Half-done: one child manifest (with its blobs) is already at the destination.
    const dest = parseRepository(`${b.host}/carried/app`);
    const child = img3.manifests[0]!;
    for (const d of [child.config, ...child.layers]) {
      const bytes = await client.getBlob(src, d.digest);
      await client.pushBlob(dest, d.digest, bytes, d.size);
    }
    const childBytes = (await client.getManifest({ ...src, digest: child.digest })).bytes;
    await client.putManifest(dest, child.digest, childBytes, "application/vnd.oci.image.manifest.v1+json");

    const report = await promote(client, {
      source: parseReference(`${a.host}/candidates/app:pr-3`),
      destination: dest,
      tags: tagsFor("v0.9.0"),
    });
    expect(report.manifests).toEqual({ copied: 2, skipped: 1 });
    expect(report.referrers).toEqual({ copied: 2, skipped: 0 });
    expect((await client.getReferrers(dest, img3.indexDigest)).map((d) => d.digest).sort()).toEqual([record, sig].sort());
    expect((await client.getReferrers(dest, img3.indexDigest, "application/vnd.flibs.build-record+json")).map((d) => d.digest)).toEqual([
      record,
    ]);
    const fallback = JSON.parse((await skopeoInspectRaw(`${b.host}/carried/app:sha256-${img3.indexDigest.slice(7)}`, b.credentials)).raw);
    expect(fallback.manifests).toHaveLength(2);
    expect((await skopeoInspectRaw(`${b.host}/carried/app:0.9.0`, b.credentials)).digest).toBe(img3.indexDigest);
  });

  it("fails with a not-found error, writing nothing, when the source does not exist", async () => {
    const client = clientFor();
    await expect(
      promote(client, {
        source: parseReference(`${a.host}/candidates/app:missing`),
        destination: parseRepository(`${a.host}/nowhere/app`),
        tags: tagsFor("v1.0.0"),
      }),
    ).rejects.toMatchObject({ code: "not-found" });
    expect(await client.listTags(parseRepository(`${a.host}/nowhere/app`))).toEqual([]);
  });
});
