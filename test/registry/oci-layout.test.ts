/**
 * The OCI layout store against skopeo, the independent judge: a layout flibs writes is one skopeo reads
 * and copies (`oci:PATH:TAG`), and one skopeo's peers write (test/helpers writeOciLayout, the ref-name
 * convention of image-spec's image-layout.md) is one flibs reads, each byte checked against its digest.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OciLayout } from "../../src/registry/oci-layout.js";
import { sha256Digest } from "../../src/registry/digest-stream.js";
import { skopeoInspectRaw, startRegistry, writeOciLayout, type TestRegistry, type WrittenLayout } from "../helpers/registry.js";

const exec = promisify(execFile);
const ANY = { registry: "", repository: "" };
const RECORD = "application/vnd.flibs.build-record.v1+json";

let work: string;
let source: WrittenLayout;
let registry: TestRegistry;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "flibs-layout-"));
  source = await writeOciLayout(join(work, "source"), { layersPerPlatform: 2, layerSize: 20_000 });
  registry = await startRegistry();
});
afterAll(async () => {
  await registry?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

function recordManifest(subject: { digest: string; size: number }): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      artifactType: RECORD,
      config: { mediaType: "application/vnd.oci.empty.v1+json", digest: sha256Digest(new TextEncoder().encode("{}")), size: 2 },
      layers: [],
      subject: { mediaType: "application/vnd.oci.image.index.v1+json", ...subject },
    }),
  );
}

describe("OciLayout", () => {
  it("reads a layout another tool wrote: the tagged index, its images and blobs, verified", async () => {
    const layout = await OciLayout.open(source.dir);
    const root = await layout.getManifest({ ...ANY, tag: "latest" });
    expect(root.digest).toBe(source.indexDigest);
    expect(Buffer.from(root.bytes).equals(source.indexBytes)).toBe(true);
    expect(root.manifest.kind).toBe("index");
    const child = await layout.getManifest({ ...ANY, digest: source.manifests[1]!.digest });
    expect(child.manifest.kind).toBe("manifest");
    const layer = source.manifests[1]!.layers[0]!;
    expect(sha256Digest(await layout.getBlob(ANY, layer.digest))).toBe(layer.digest);
    await expect(layout.getManifest({ ...ANY, tag: "nope" })).rejects.toThrow(/no image tagged nope .*latest/);
    await expect(OciLayout.open(join(work, "missing"))).rejects.toThrow(/not an OCI image layout/);
  });

  it("refuses a blob whose bytes do not match its name", async () => {
    const copy = join(work, "corrupt");
    await exec("cp", ["-r", source.dir, copy]);
    const layer = source.manifests[0]!.layers[0]!;
    const path = join(copy, "blobs", "sha256", layer.digest.slice(7));
    const bytes = await readFile(path);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    await writeFile(path, bytes);
    const layout = await OciLayout.open(copy);
    await expect(layout.getBlob(ANY, layer.digest)).rejects.toThrow(/does not match/);
  });

  it("writes a layout skopeo reads and copies, with the same digests, and the referrer in index.json", async () => {
    const from = await OciLayout.open(source.dir);
    const to = await OciLayout.create(join(work, "written"));
    for (const m of source.manifests) {
      for (const b of [m.config, ...m.layers])
        expect(await to.pushBlob(ANY, b.digest, await from.openBlob(ANY, b.digest, b.size), b.size)).toBe("uploaded");
      const got = await from.getManifest({ ...ANY, digest: m.digest });
      expect(await to.putManifest(ANY, m.digest, got.bytes, got.mediaType)).toBe(m.digest);
    }
    expect(await to.putManifest(ANY, "v1", source.indexBytes, "application/vnd.oci.image.index.v1+json")).toBe(source.indexDigest);
    const record = recordManifest({ digest: source.indexDigest, size: source.indexBytes.length });
    await to.pushBlob(ANY, sha256Digest(new TextEncoder().encode("{}")), new TextEncoder().encode("{}"), 2);
    const recordDigest = await to.putReferrer(ANY, source.indexDigest, record, "application/vnd.oci.image.manifest.v1+json");

    const referrers = await to.getReferrers(ANY, source.indexDigest);
    expect(referrers).toEqual([expect.objectContaining({ digest: recordDigest, artifactType: RECORD })]);
    expect(await to.getReferrers(ANY, source.indexDigest, "application/other")).toEqual([]);
    expect(await to.getReferrers(ANY, source.manifests[0]!.digest)).toEqual([]);

    // skopeo (containers/image's oci transport) names the image by its ref name.
    const { stdout } = await exec("skopeo", ["inspect", "--raw", `oci:${to.dir}:v1`]);
    expect(sha256Digest(new TextEncoder().encode(stdout))).toBe(source.indexDigest);
    await exec("skopeo", [
      "--insecure-policy",
      "copy",
      "--all",
      "--preserve-digests",
      "--dest-tls-verify=false",
      `oci:${to.dir}:v1`,
      `docker://${registry.host}/layout/copied:v1`,
    ]);
    expect((await skopeoInspectRaw(`${registry.host}/layout/copied:v1`)).digest).toBe(source.indexDigest);

    // Written again: nothing is uploaded twice and the tag is listed once.
    const layer = source.manifests[0]!.layers[0]!;
    expect(await to.pushBlob(ANY, layer.digest, await from.openBlob(ANY, layer.digest), layer.size)).toBe("exists");
    await to.putManifest(ANY, "v1", source.indexBytes, "application/vnd.oci.image.index.v1+json");
    const index = JSON.parse(await readFile(join(to.dir, "index.json"), "utf8"));
    expect(
      index.manifests.map((m: { digest: string; annotations?: Record<string, string> }) => [
        m.digest,
        m.annotations?.["org.opencontainers.image.ref.name"],
      ]),
    ).toEqual([
      [recordDigest, undefined],
      [source.indexDigest, "v1"],
    ]);
  });

  it("is created in a new or empty directory, never among other files", async () => {
    await writeFile(join(work, "not-a-layout.txt"), "x");
    await expect(OciLayout.create(work)).rejects.toThrow(/files in it but not an OCI image layout/);
    const again = await OciLayout.create(source.dir);
    expect((await again.resolve()).digest).toBe(source.indexDigest);
  });

  it("refuses to store bytes under a digest they do not have, leaving no file behind", async () => {
    const to = await OciLayout.create(join(work, "refuse"));
    const bytes = new TextEncoder().encode("hello");
    const wrong = sha256Digest(new TextEncoder().encode("other"));
    await expect(to.pushBlob(ANY, wrong, bytes, bytes.byteLength)).rejects.toThrow(/do not hash/);
    async function* chunks() {
      yield bytes;
    }
    await expect(to.pushBlob(ANY, wrong, chunks(), bytes.byteLength)).rejects.toThrow(/does not match/);
    expect(await to.headBlob(ANY, wrong)).toBeUndefined();
    const { stdout } = await exec("find", [to.dir, "-type", "f"]);
    expect(
      stdout
        .trim()
        .split("\n")
        .map((p) => p.slice(to.dir.length + 1))
        .sort(),
    ).toEqual(["index.json", "oci-layout"]);
  });

  it("finds referrers other tools list under the sha256-<hex> fallback tag", async () => {
    const to = await OciLayout.create(join(work, "fallback"));
    const record = recordManifest({ digest: source.indexDigest, size: source.indexBytes.length });
    const recordDigest = await to.putManifest(ANY, sha256Digest(record), record, "application/vnd.oci.image.manifest.v1+json");
    const list = new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.index.v1+json",
        manifests: [
          { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: recordDigest, size: record.byteLength, artifactType: RECORD },
        ],
      }),
    );
    await to.putManifest(ANY, `sha256-${source.indexDigest.slice(7)}`, list, "application/vnd.oci.image.index.v1+json");
    expect((await to.getReferrers(ANY, source.indexDigest)).map((d) => d.digest)).toEqual([recordDigest]);
  });
});
