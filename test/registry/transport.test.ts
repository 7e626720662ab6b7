/**
 * The node:http transport against a real registry behind a small recording proxy: kept-alive connections,
 * one token request for requests running together, redirects of manifest GETs (Authorization only to
 * the registry), refusal of a redirect to plain HTTP elsewhere, and a streamed upload whose content does
 * not match its digest never reaching the registry complete.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseReference } from "../../src/core/oci/reference.js";
import { credentialsFrom, RegistryClient } from "../../src/registry/index.js";
import { pushTestImage, startRegistry, type PushedImage, type TestRegistry } from "../helpers/registry.js";

const digestOf = (b: Uint8Array): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;

interface Proxy {
  host: string;
  connections: number;
  tokenRequests: number;
  /** Per request: method, path, Authorization sent, body bytes received. */
  seen: Array<{ method: string; path: string; authorization?: string; bodyBytes: number }>;
  /** Answers for some requests instead of the registry, or sends them to another registry path. */
  override?: (req: IncomingMessage) => { status: number; headers: Record<string, string> } | { path: string } | undefined;
  close(): Promise<void>;
}

/** Forwards to `backend`; with `bearer`, demands a token from its own /token endpoint first. */
async function startProxy(backend: TestRegistry, bearer: boolean): Promise<Proxy> {
  const tokens = new Set<string>();
  const proxy = { connections: 0, tokenRequests: 0, seen: [] } as unknown as Proxy;
  const server: Server = createServer((req, res) => {
    const entry = { method: req.method ?? "GET", path: req.url ?? "/", authorization: req.headers.authorization, bodyBytes: 0 };
    proxy.seen.push(entry);
    req.on("data", (c: Buffer) => (entry.bodyBytes += c.length));
    if (req.url?.startsWith("/token")) {
      proxy.tokenRequests++;
      const t = randomBytes(8).toString("hex");
      tokens.add(t);
      // Slow enough that requests started together all wait for this one.
      setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token: t, expires_in: 300 })), 50);
      return;
    }
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (bearer && req.url !== "/plain" && !(token && tokens.has(token))) {
      req.resume();
      res.writeHead(401, { "www-authenticate": `Bearer realm="http://${proxy.host}/token",service="proxy.test"` }).end();
      return;
    }
    const answer = proxy.override?.(req);
    if (answer && "status" in answer) {
      req.resume();
      res.writeHead(answer.status, answer.headers).end();
      return;
    }
    const headers = { ...req.headers };
    delete headers.authorization;
    const up = httpRequest(`${backend.url}${answer?.path ?? req.url}`, { method: req.method, headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  server.on("connection", () => proxy.connections++);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  proxy.host = `127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  proxy.close = () =>
    new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return proxy;
}

describe("node:http transport", () => {
  let reg: TestRegistry;
  let img: PushedImage;
  let open: Proxy;
  let gated: Proxy;
  beforeAll(async () => {
    reg = await startRegistry();
    // Over 1 MiB the layers are stored uncompressed: two of them have the same size and differ in content.
    img = await pushTestImage(reg, "transport/app:1", { layerSize: 1_100_000 });
    [open, gated] = await Promise.all([startProxy(reg, false), startProxy(reg, true)]);
  });
  afterAll(async () => {
    await Promise.all([open?.close(), gated?.close()]);
    await img?.cleanup();
    await reg?.stop();
  });

  it("keeps connections alive: many requests, few connections", async () => {
    const client = new RegistryClient();
    const before = open.connections;
    for (let i = 0; i < 10; i++) await client.headManifest(parseReference(`${open.host}/transport/app:1`));
    await Promise.all(img.manifests.map((m) => client.getManifest(parseReference(`${open.host}/transport/app@${m.digest}`))));
    expect(open.connections - before).toBeLessThanOrEqual(img.manifests.length);
    client.transport.close();
  });

  it("asks for one token when requests for one scope start together", async () => {
    const client = new RegistryClient();
    const before = gated.tokenRequests;
    await client.ping(gated.host);
    const refs = img.manifests.map((m) => parseReference(`${gated.host}/transport/app@${m.digest}`));
    const got = await Promise.all([...refs, ...refs].map((r) => client.getManifest(r)));
    expect(got.map((m) => m.digest)).toEqual([...img.manifests, ...img.manifests].map((m) => m.digest));
    // One for /v2/ (no scope), one for repository:transport/app:pull.
    expect(gated.tokenRequests - before).toBe(2);
    client.transport.close();
  });

  it("follows a manifest redirect to another host without the registry's Authorization, and refuses plain HTTP elsewhere", async () => {
    const client = new RegistryClient({ credentials: credentialsFrom({ [gated.host]: { kind: "basic", username: "u", password: "p" } }) });
    const digest = img.manifests[0]!.digest;
    gated.override = (req) =>
      req.url === `/v2/transport/app/manifests/${digest}`
        ? { status: 307, headers: { location: `http://${open.host}/v2/transport/app/manifests/${digest}` } }
        : undefined;
    try {
      const m = await client.getManifest(parseReference(`${gated.host}/transport/app@${digest}`));
      expect(m.digest).toBe(digest);
      const redirected = open.seen.filter((s) => s.path === `/v2/transport/app/manifests/${digest}`).at(-1)!;
      expect(redirected.authorization).toBeUndefined();
      expect(gated.seen.filter((s) => s.path === `/v2/transport/app/manifests/${digest}`).at(-1)!.authorization).toMatch(/^Bearer /);

      gated.override = (req) =>
        req.url?.includes("/manifests/")
          ? { status: 302, headers: { location: "http://registry.example.com/v2/x/manifests/1" } }
          : undefined;
      await expect(client.getManifest(parseReference(`${gated.host}/transport/app:1`))).rejects.toMatchObject({
        code: "registry",
        message: expect.stringMatching(/plain HTTP \(registry\.example\.com\); refusing/),
      });
    } finally {
      delete gated.override;
      client.transport.close();
    }
  });

  it("never sends the last bytes of a streamed upload that does not match its digest", async () => {
    const client = new RegistryClient({ retry: { retries: 0 } });
    const repo = { registry: open.host, repository: "transport/blobs" };
    const data = randomBytes(300_000);
    const claimed = digestOf(randomBytes(16));
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let off = 0; off < data.byteLength; off += 64 * 1024) yield data.subarray(off, off + 64 * 1024);
    }
    await expect(client.uploadBlob(repo, claimed, chunks(), data.byteLength)).rejects.toMatchObject({ code: "digest-mismatch" });
    const patch = open.seen.filter((s) => s.method === "PATCH").at(-1)!;
    expect(patch.bodyBytes).toBeLessThan(data.byteLength);
    expect(open.seen.some((s) => s.method === "PUT" && s.path.includes(encodeURIComponent(claimed)))).toBe(false);
    expect(await client.headBlob(repo, claimed)).toBeUndefined();

    // The same upload with the right digest goes through with a Content-Length, whole.
    await client.uploadBlob(repo, digestOf(data), chunks(), data.byteLength);
    expect(open.seen.filter((s) => s.method === "PATCH").at(-1)!.bodyBytes).toBe(data.byteLength);
    expect(await client.headBlob(repo, digestOf(data))).toEqual({ size: data.byteLength });

    // A source serving other bytes under a digest: the verified download piped into the upload stops short too.
    const a = img.manifests[0]!.layers[0]!;
    const b = img.manifests[1]!.layers[0]!;
    expect([b.size, b.digest === a.digest]).toEqual([a.size, false]);
    open.override = (req) =>
      req.url?.endsWith(`/blobs/${a.digest}`) && req.method === "GET" ? { path: `/v2/transport/app/blobs/${b.digest}` } : undefined;
    try {
      const blob = await client.openBlob({ registry: open.host, repository: "transport/app" }, a.digest, a.size);
      await expect(client.uploadBlob(repo, a.digest, blob, a.size)).rejects.toMatchObject({ code: "digest-mismatch" });
      expect(open.seen.filter((s) => s.method === "PATCH").at(-1)!.bodyBytes).toBeLessThan(a.size);
      expect(await client.headBlob(repo, a.digest)).toBeUndefined();
    } finally {
      delete open.override;
      client.transport.close();
    }
  });
});
