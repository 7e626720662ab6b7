/**
 * Retries against a real registry behind a deliberately unreliable proxy: 429 with Retry-After, 503s,
 * connections reset before an answer and blob downloads cut in the middle.
 */
import { createServer, request as httpRequest, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseReference, parseRepository } from "../../src/core/oci/reference.js";
import { promote, RegistryClient } from "../../src/registry/index.js";
import { pushTestImage, skopeoInspectRaw, startRegistry, type PushedImage, type TestRegistry } from "../helpers/registry.js";

type Fault = "429" | "503" | "reset" | "cut" | "digest-invalid" | undefined;

async function startFlakyProxy(backend: TestRegistry, fault: (method: string, path: string, n: number) => Fault) {
  let n = 0;
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = req.url ?? "/";
    const f = fault(req.method ?? "GET", path, n++);
    seen.push(`${f ?? "ok"} ${req.method} ${path.replace(/\?.*/, "")}`);
    if (f === "429") return void res.writeHead(429, { "retry-after": "1" }).end();
    if (f === "503") return void res.writeHead(503).end("busy");
    if (f === "reset") return void req.socket.destroy();
    if (f === "digest-invalid") {
      req.resume();
      return void res
        .writeHead(400, { "content-type": "application/json" })
        .end(JSON.stringify({ errors: [{ code: "DIGEST_INVALID", message: "provided digest did not match uploaded content" }] }));
    }
    const up = httpRequest(`${backend.url}${path}`, { method: req.method, headers: req.headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      if (f === "cut" && Number(upRes.headers["content-length"]) > 20_000) {
        let sent = 0;
        upRes.on("data", (chunk: Buffer) => {
          if (sent > 10_000) return;
          sent += chunk.length;
          res.write(chunk);
          if (sent > 10_000) setTimeout(() => res.socket?.destroy(), 20);
        });
        return;
      }
      upRes.pipe(res);
    });
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  const host = `127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  return { host, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe("retries", () => {
  let src: TestRegistry;
  let dst: TestRegistry;
  let img: PushedImage;
  beforeAll(async () => {
    [src, dst] = await Promise.all([startRegistry(), startRegistry()]);
    img = await pushTestImage(src, "flaky/app:1", { layerSize: 200_000 });
  });
  afterAll(async () => {
    await img?.cleanup();
    await Promise.all([src?.stop(), dst?.stop()]);
  });

  it("rides out 429 (honouring Retry-After), 503s, resets and a cut download", async () => {
    const faults = new Map<string, Fault>();
    const once = (key: string, f: Fault): Fault => {
      if (faults.has(key)) return undefined;
      faults.set(key, f);
      return f;
    };
    const proxy = await startFlakyProxy(src, (method, path) => {
      if (method === "GET" && path.includes("/manifests/1")) return once("m", "429");
      if (method === "GET" && /\/manifests\/sha256/.test(path)) return once(`mc`, "503");
      if (method === "GET" && path.includes("/blobs/") && !faults.has("reset")) return once("reset", "reset");
      if (method === "GET" && path.includes("/blobs/") && img.manifests[1]!.layers.some((l) => path.includes(l.digest)))
        return once("cut", "cut");
      return undefined;
    });
    const retries: string[] = [];
    try {
      const client = new RegistryClient({
        retry: { retries: 3, baseDelayMs: 20 },
        onRetry: (r) => retries.push(`${r.reason} ${r.delayMs}`),
      });
      const started = Date.now();
      const report = await promote(client, {
        source: parseReference(`${proxy.host}/flaky/app:1`),
        destination: parseRepository(`${dst.host}/stable/app`),
        tags: [{ tag: "1.0.0", kind: "immutable", reason: "" }],
        onProgress: (l) => retries.push(l),
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000); // Retry-After: 1
      expect(retries).toContain("HTTP 429 1000");
      expect(retries.some((r) => r.startsWith("HTTP 503"))).toBe(true);
      expect(retries.some((r) => r.startsWith("retrying blob"))).toBe(true);
      expect([...faults.keys()].sort()).toEqual(["cut", "m", "mc", "reset"]);
      expect(retries.some((r) => /^fetch failed|ECONNRESET|socket/.test(r))).toBe(true);
      expect(report.blobs.streamed).toBe(4);
      expect((await skopeoInspectRaw(`${dst.host}/stable/app:1.0.0`)).digest).toBe(img.indexDigest);
    } finally {
      await proxy.close();
    }
  });

  it("gives up after its retries with a registry error and writes no tag", async () => {
    const proxy = await startFlakyProxy(src, (method, path) => (method === "GET" && path.includes("/blobs/") ? "503" : undefined));
    try {
      const client = new RegistryClient({ retry: { retries: 2, baseDelayMs: 5 } });
      await expect(
        promote(client, {
          source: parseReference(`${proxy.host}/flaky/app:1`),
          destination: parseRepository(`${dst.host}/broken/app`),
          tags: [{ tag: "1.0.0", kind: "immutable", reason: "" }],
          blobAttempts: 2,
        }),
      ).rejects.toMatchObject({ code: "registry", message: expect.stringMatching(/HTTP 503/) });
      expect(await client.listTags(parseRepository(`${dst.host}/broken/app`))).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it("sends a manifest again when the registry answers DIGEST_INVALID for bytes that match their digest", async () => {
    let put = 0;
    // CNCF distribution answers so while another upload writes the link of a blob the manifest names.
    const proxy = await startFlakyProxy(dst, (method, path) =>
      method === "PUT" && /\/manifests\/sha256:/.test(path) && put++ === 0 ? "digest-invalid" : undefined,
    );
    try {
      const client = new RegistryClient({ retry: { retries: 2, baseDelayMs: 5 } });
      await promote(client, {
        source: parseReference(`${src.host}/flaky/app:1`),
        destination: parseRepository(`${proxy.host}/again/app`),
        tags: [{ tag: "1.0.0", kind: "immutable", reason: "" }],
      });
      expect(proxy.seen.filter((l) => l.startsWith("digest-invalid PUT"))).toHaveLength(1);
      expect((await skopeoInspectRaw(`${dst.host}/again/app:1.0.0`)).digest).toBe(img.indexDigest);
    } finally {
      await proxy.close();
    }
  });
});
