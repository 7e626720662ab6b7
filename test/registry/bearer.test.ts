/**
 * The Bearer token flow end to end: a tiny gate in front of a real registry answers 401 with a
 * `Bearer realm=...,service=...,scope=...` challenge unless the request carries a token its token
 * endpoint issued (for Basic credentials, for the scopes asked), and forwards everything else.
 */
import { createServer, request as httpRequest, type Server } from "node:http";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseReference } from "../../src/core/oci/reference.js";
import { credentialsFrom, RegistryClient } from "../../src/registry/index.js";
import { pushTestImage, startRegistry, type PushedImage, type TestRegistry } from "../helpers/registry.js";

interface Gate {
  host: string;
  tokenRequests: URL[];
  /** When set, authorised blob GETs are redirected there (as registries send them to object storage). */
  redirectBlobsTo?: string;
  close(): Promise<void>;
}

/** Stands in for object storage: serves what it is asked from the registry and records the headers it got. */
async function startStorage(backend: TestRegistry): Promise<{ host: string; seen: Array<string | undefined>; close(): Promise<void> }> {
  const seen: Array<string | undefined> = [];
  const server = createServer((req, res) => {
    seen.push(req.headers.authorization);
    const up = httpRequest(`${backend.url}${req.url}`, { method: req.method }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on("error", () => res.destroy());
    up.end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  return {
    host: `127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`,
    seen,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function startGate(backend: TestRegistry): Promise<Gate> {
  const tokens = new Map<string, string[]>();
  const tokenRequests: URL[] = [];
  let host = "";
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", `http://${host}`);
    if (url.pathname === "/token") {
      tokenRequests.push(url);
      if (req.headers.authorization !== `Basic ${Buffer.from("carol:tok-pw").toString("base64")}`) {
        res.writeHead(401).end('{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}');
        return;
      }
      const t = randomBytes(8).toString("hex");
      tokens.set(t, url.searchParams.getAll("scope"));
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token: t, expires_in: 300 }));
      return;
    }
    const m = /^\/v2\/(.+?)\/(manifests|blobs|tags|referrers)\//.exec(url.pathname);
    const needed = m ? `repository:${m[1]}:${req.method === "GET" || req.method === "HEAD" ? "pull" : "pull,push"}` : undefined;
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const granted = token ? tokens.get(token) : undefined;
    const ok = granted !== undefined && (!needed || granted.some((s) => s === needed || s === needed.replace(/:pull$/, ":pull,push")));
    if (!ok) {
      res
        .writeHead(401, {
          "www-authenticate": `Bearer realm="http://${host}/token",service="gate.test"${needed ? `,scope="${needed}"` : ""}`,
          "content-type": "application/json",
        })
        .end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      return;
    }
    if (gate.redirectBlobsTo && req.method === "GET" && m?.[2] === "blobs") {
      res.writeHead(307, { location: `http://${gate.redirectBlobsTo}${req.url}` }).end();
      return;
    }
    const headers = { ...req.headers };
    delete headers.authorization;
    const up = httpRequest(`${backend.url}${req.url}`, { method: req.method, headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  host = `127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  const gate: Gate = { host, tokenRequests, close: () => new Promise((r) => server.close(() => r())) };
  return gate;
}

describe("Bearer token flow", () => {
  let reg: TestRegistry;
  let gate: Gate;
  let img: PushedImage;
  beforeAll(async () => {
    reg = await startRegistry();
    img = await pushTestImage(reg, "team/app:1");
    gate = await startGate(reg);
  });
  afterAll(async () => {
    await gate?.close();
    await img?.cleanup();
    await reg?.stop();
  });

  it("fetches a token for the challenged scope with Basic credentials and reuses it", async () => {
    const client = new RegistryClient({
      credentials: credentialsFrom({ [gate.host]: { kind: "basic", username: "carol", password: "tok-pw" } }),
    });
    const before = gate.tokenRequests.length;
    const m = await client.getManifest(parseReference(`${gate.host}/team/app:1`));
    expect(m.digest).toBe(img.indexDigest);
    await client.getManifest(parseReference(`${gate.host}/team/app@${img.manifests[0]!.digest}`));
    const asked = gate.tokenRequests.slice(before);
    expect(asked).toHaveLength(1);
    expect(asked[0]!.searchParams.get("service")).toBe("gate.test");
    expect(asked[0]!.searchParams.getAll("scope")).toEqual(["repository:team/app:pull"]);
    expect(asked[0]!.searchParams.get("account")).toBe("carol");
  });

  it("asks for push scope to upload, and mounts with both repositories in scope", async () => {
    const client = new RegistryClient({
      credentials: credentialsFrom({ [gate.host]: { kind: "basic", username: "carol", password: "tok-pw" } }),
    });
    const layer = img.manifests[0]!.layers[0]!;
    expect(await client.mountBlob({ registry: gate.host, repository: "team/copy" }, layer.digest, "team/app")).toBe(true);
    const last = gate.tokenRequests.at(-1)!;
    expect(last.searchParams.getAll("scope").sort()).toEqual(["repository:team/app:pull", "repository:team/copy:pull,push"]);
  });

  it("follows a blob redirect to storage without sending the registry token there, verified as it streams", async () => {
    const storage = await startStorage(reg);
    gate.redirectBlobsTo = storage.host;
    try {
      const client = new RegistryClient({
        credentials: credentialsFrom({ [gate.host]: { kind: "basic", username: "carol", password: "tok-pw" } }),
      });
      const layer = img.manifests[1]!.layers[0]!;
      const blob = await client.openBlob({ registry: gate.host, repository: "team/app" }, layer.digest, layer.size);
      let n = 0;
      for await (const c of blob.chunks) n += c.byteLength;
      expect(n).toBe(layer.size);
      expect(storage.seen).toEqual([undefined]);
    } finally {
      delete gate.redirectBlobsTo;
      await storage.close();
    }
  });

  it("reports a refused token request as an auth error", async () => {
    const client = new RegistryClient({
      credentials: credentialsFrom({ [gate.host]: { kind: "basic", username: "carol", password: "wrong" } }),
    });
    await expect(client.getManifest(parseReference(`${gate.host}/team/app:1`))).rejects.toMatchObject({
      code: "auth",
      message: expect.stringMatching(/token request .* refused: 401 UNAUTHORIZED: bad credentials/),
    });
  });
});
