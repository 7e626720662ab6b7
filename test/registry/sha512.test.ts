/**
 * OCI digests may use sha512 (image-spec, descriptor.md: "sha512" is a registered algorithm). A registry that
 * answers a sha512 reference with other bytes must be caught as surely as one answering a sha256 reference.
 */
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseReference } from "../../src/core/oci/reference.js";
import { RegistryClient } from "../../src/registry/index.js";

const manifest = JSON.stringify({
  schemaVersion: 2,
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: `sha256:${"0".repeat(64)}`, size: 2 },
  layers: [],
});
const sha512 = (s: string) => `sha512:${createHash("sha512").update(s).digest("hex")}`;
let server: Server;
let host: string;
let served = manifest;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === "/v2/") return res.end("{}");
    res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json" });
    res.end(served);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("a manifest read by a sha512 digest", () => {
  const client = new RegistryClient({ retry: { retries: 0, baseDelayMs: 1 } });
  it("is accepted when its bytes hash to it", async () => {
    served = manifest;
    const m = await client.getManifest(parseReference(`${host}/app@${sha512(manifest)}`));
    expect(m.digest).toBe(sha512(manifest));
  });
  it("is refused when the registry answers other bytes", async () => {
    served = manifest.replace("[]", '[{"mediaType":"x","digest":"sha256:' + "1".repeat(64) + '","size":1}]');
    await expect(client.getManifest(parseReference(`${host}/app@${sha512(manifest)}`))).rejects.toMatchObject({ code: "digest-mismatch" });
  });
});
