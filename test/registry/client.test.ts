import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FlibsError } from "../../src/core/errors.js";
import { parseReference } from "../../src/core/oci/reference.js";
import { credentialsFrom, RegistryClient, uploadUrl } from "../../src/registry/index.js";
import {
  pushTestImage,
  skopeoInspectRaw,
  skopeoListTags,
  startRegistry,
  type PushedImage,
  type TestRegistry,
} from "../helpers/registry.js";

const digestOf = (b: Uint8Array): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;
const streamOf = (b: Uint8Array, chunk = 7000): ReadableStream<Uint8Array> => {
  let off = 0;
  return new ReadableStream({
    pull(c) {
      if (off >= b.byteLength) return c.close();
      c.enqueue(b.subarray(off, off + chunk));
      off += chunk;
    },
  });
};

describe("RegistryClient against a real registry", () => {
  let reg: TestRegistry;
  let authReg: TestRegistry;
  let img: PushedImage;
  const client = new RegistryClient({ retry: { retries: 1, baseDelayMs: 10 } });
  beforeAll(async () => {
    [reg, authReg] = await Promise.all([startRegistry(), startRegistry({ auth: { username: "bob", password: "pw-1" } })]);
    img = await pushTestImage(reg, "client/app:v1");
  });
  afterAll(async () => {
    await img?.cleanup();
    await Promise.all([reg?.stop(), authReg?.stop()]);
  });

  it("pings /v2/", async () => {
    await expect(client.ping(reg.host)).resolves.toBeUndefined();
  });

  it("gets an index by tag with its raw bytes and the digest skopeo sees", async () => {
    const m = await client.getManifest(parseReference(`${reg.host}/client/app:v1`));
    const judged = await skopeoInspectRaw(img.ref);
    expect(m.digest).toBe(judged.digest);
    expect(Buffer.from(m.bytes).toString()).toBe(judged.raw);
    expect(m.mediaType).toBe("application/vnd.oci.image.index.v1+json");
    expect(m.manifest.kind).toBe("index");
    const child = await client.getManifest(parseReference(`${reg.host}/client/app@${img.manifests[1]!.digest}`));
    expect(child.manifest.kind === "manifest" && child.manifest.layers[0]!.digest).toBe(img.manifests[1]!.layers[0]!.digest);
  });

  it("heads manifests and blobs, and reports absence as undefined", async () => {
    expect((await client.headManifest(parseReference(`${reg.host}/client/app:v1`)))?.digest).toBe(img.indexDigest);
    expect(await client.headManifest(parseReference(`${reg.host}/client/app:nope`))).toBeUndefined();
    const layer = img.manifests[0]!.layers[0]!;
    expect(await client.headBlob({ registry: reg.host, repository: "client/app" }, layer.digest)).toEqual({ size: layer.size });
    expect(await client.headBlob({ registry: reg.host, repository: "client/app" }, digestOf(randomBytes(4)))).toBeUndefined();
    await expect(client.getManifest(parseReference(`${reg.host}/client/app:nope`))).rejects.toMatchObject({ code: "not-found" });
  });

  it("uploads blobs monolithically, in chunks and as a verified stream; reads them back", async () => {
    const repo = { registry: reg.host, repository: "client/blobs" };
    for (const [mode, opts] of [
      ["mono", {}],
      ["chunked", { chunkSize: 10_000 }],
    ] as const) {
      const data = randomBytes(25_000);
      expect(await client.pushBlob(repo, digestOf(data), data, data.byteLength, opts), mode).toBe("uploaded");
      expect(Buffer.from(await client.getBlob(repo, digestOf(data))).equals(data), mode).toBe(true);
      expect(await client.pushBlob(repo, digestOf(data), data, data.byteLength), mode).toBe("exists");
    }
    const data = randomBytes(300_000);
    expect(await client.pushBlob(repo, digestOf(data), streamOf(data), data.byteLength)).toBe("uploaded");
    expect(Buffer.from(await client.getBlob(repo, digestOf(data))).equals(data)).toBe(true);
  });

  it("refuses a stream that does not match its digest and commits nothing", async () => {
    const repo = { registry: reg.host, repository: "client/blobs" };
    const claimed = digestOf(randomBytes(10));
    const data = randomBytes(50_000);
    await expect(client.pushBlob(repo, claimed, streamOf(data), data.byteLength)).rejects.toBeInstanceOf(FlibsError);
    expect(await client.headBlob(repo, claimed)).toBeUndefined();
    await expect(client.pushBlob(repo, claimed, data, data.byteLength)).rejects.toMatchObject({ code: "digest-mismatch" });
  });

  it("mounts a blob across repositories of one registry without moving bytes", async () => {
    const layer = img.manifests[0]!.layers[0]!;
    const c = new RegistryClient();
    expect(await c.mountBlob({ registry: reg.host, repository: "client/mounted" }, layer.digest, "client/app")).toBe(true);
    expect(c.stats.blobBytesUploaded + c.stats.blobBytesDownloaded).toBe(0);
    expect(await c.headBlob({ registry: reg.host, repository: "client/mounted" }, layer.digest)).toEqual({ size: layer.size });
    // A blob the source repository does not have: declined, not an error.
    expect(await c.mountBlob({ registry: reg.host, repository: "client/mounted" }, digestOf(randomBytes(3)), "client/app")).toBe(false);
  });

  it("puts manifests by digest and tag, and lists tags as skopeo does", async () => {
    const src = await client.getManifest(parseReference(`${reg.host}/client/app:v1`));
    const repo = { registry: reg.host, repository: "client/app" };
    expect(await client.putManifest(repo, "again", src.bytes, src.mediaType)).toBe(src.digest);
    expect((await client.listTags(repo)).sort()).toEqual((await skopeoListTags(`${reg.host}/client/app`)).sort());
    expect(await client.listTags({ registry: reg.host, repository: "client/none" })).toEqual([]);
    await expect(client.putManifest(repo, digestOf(randomBytes(2)), src.bytes, src.mediaType)).rejects.toMatchObject({
      code: "digest-mismatch",
    });
  });

  it("finds referrers through the sha256-<hex> fallback tag on a registry without the referrers API", async () => {
    const repo = { registry: reg.host, repository: "client/app" };
    const cfg = new TextEncoder().encode("{}");
    await client.pushBlob(repo, digestOf(cfg), cfg, cfg.byteLength);
    const artifact = (type: string) =>
      new TextEncoder().encode(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          artifactType: type,
          config: { mediaType: "application/vnd.oci.empty.v1+json", digest: digestOf(cfg), size: cfg.byteLength },
          layers: [{ mediaType: "application/vnd.oci.empty.v1+json", digest: digestOf(cfg), size: cfg.byteLength }],
          subject: { mediaType: "application/vnd.oci.image.index.v1+json", digest: img.indexDigest, size: img.indexBytes.byteLength },
          annotations: { "org.example.note": type },
        }),
      );
    const a = await client.putReferrer(
      repo,
      img.indexDigest,
      artifact("application/vnd.example.record"),
      "application/vnd.oci.image.manifest.v1+json",
    );
    const b = await client.putReferrer(
      repo,
      img.indexDigest,
      artifact("application/vnd.example.sig"),
      "application/vnd.oci.image.manifest.v1+json",
    );
    await client.putReferrer(repo, img.indexDigest, artifact("application/vnd.example.sig"), "application/vnd.oci.image.manifest.v1+json");
    const all = await client.getReferrers(repo, img.indexDigest);
    expect(all.map((d) => d.digest)).toEqual([a, b]);
    expect((await client.getReferrers(repo, img.indexDigest, "application/vnd.example.sig")).map((d) => d.digest)).toEqual([b]);
    const tag = `sha256-${img.indexDigest.slice(7)}`;
    expect(JSON.parse((await skopeoInspectRaw(`${reg.host}/client/app:${tag}`)).raw).manifests).toHaveLength(2);
  });

  it("authenticates with Basic credentials from a lookup, and explains a refusal", async () => {
    const pushed = await pushTestImage(authReg, "private/app:1");
    try {
      const good = new RegistryClient({
        credentials: credentialsFrom({ [authReg.host]: { kind: "basic", username: "bob", password: "pw-1" } }),
      });
      expect((await good.getManifest(parseReference(`${authReg.host}/private/app:1`))).digest).toBe(pushed.indexDigest);
      const none = new RegistryClient();
      await expect(none.getManifest(parseReference(`${authReg.host}/private/app:1`))).rejects.toMatchObject({ code: "auth" });
      const wrong = new RegistryClient({
        credentials: credentialsFrom({ [authReg.host]: { kind: "basic", username: "bob", password: "nope" } }),
      });
      await expect(wrong.getManifest(parseReference(`${authReg.host}/private/app:1`))).rejects.toThrow(/401.*credentials were refused/);
    } finally {
      await pushed.cleanup();
    }
  });

  it("resolves upload Locations that are absolute and already carry a query", () => {
    expect(uploadUrl("http://127.0.0.1:5000", "http://127.0.0.1:5000/v2/a/blobs/uploads/u1?_state=xyz", { digest: "sha256:ab" })).toBe(
      "http://127.0.0.1:5000/v2/a/blobs/uploads/u1?_state=xyz&digest=sha256%3Aab",
    );
    expect(uploadUrl("https://r.example.com", "/v2/a/blobs/uploads/u2", { digest: "sha256:ab" })).toBe(
      "https://r.example.com/v2/a/blobs/uploads/u2?digest=sha256%3Aab",
    );
  });
});
