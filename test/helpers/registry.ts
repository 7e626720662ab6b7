/**
 * Real registries and real test images for e2e tests, without Docker.
 *
 * `startRegistry()` runs Debian's `docker-registry` (CNCF distribution) on a free 127.0.0.1 port with a
 * config of its own in a temp dir (the packaged service's config enables auth on :5000; never used).
 * `writeOciLayout()` writes a small multi-arch OCI image layout with random-content layers, and
 * `pushLayout()` pushes it with skopeo, which is also the independent judge (`skopeoInspectRaw`).
 */
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream, existsSync } from "node:fs";
import { pipeline } from "node:stream/promises";
import { mkdtemp, mkdir, rm, writeFile, rename } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { constants as zconst, createGzip } from "node:zlib";

const run = promisify(execFile);

export const REGISTRY_BIN = "/usr/bin/docker-registry";

/** Fails with a message that says how to get the tool, never skips. */
export function requireTool(path: string, what = path): void {
  if (!existsSync(path)) {
    throw new Error(`${what} is not installed (${path} missing): run \`sudo bash scripts/setup-system.sh\``);
  }
}

async function which(cmd: string): Promise<string> {
  try {
    const { stdout } = await run("sh", ["-c", `command -v ${cmd}`]);
    return stdout.trim();
  } catch {
    throw new Error(`${cmd} is not installed: run \`sudo bash scripts/setup-system.sh\``);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface TestRegistry {
  /** `127.0.0.1:PORT`, the registry part of a reference. */
  host: string;
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Set when started with `auth`. */
  credentials?: RegistryCredentials;
  /** Root of the registry's filesystem storage (to inspect what landed). */
  storageDir: string;
  stop(): Promise<void>;
}

export interface StartRegistryOptions {
  /** htpasswd Basic auth with this user (bcrypt entry made with `htpasswd -Bbn`). */
  auth?: RegistryCredentials;
}

async function waitForV2(url: string, proc: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`docker-registry exited (${proc.exitCode}): ${log()}`);
    try {
      const res = await fetch(`${url}/v2/`);
      await res.arrayBuffer();
      if (res.status === 200 || res.status === 401) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`docker-registry did not answer /v2/ within 15 s: ${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startRegistry(options: StartRegistryOptions = {}): Promise<TestRegistry> {
  requireTool(REGISTRY_BIN, "docker-registry");
  const dir = await mkdtemp(join(tmpdir(), "flibs-registry-"));
  const storageDir = join(dir, "storage");
  await mkdir(storageDir);
  let authBlock = "";
  if (options.auth) {
    const htpasswd = await which("htpasswd");
    const { stdout } = await run(htpasswd, ["-Bbn", options.auth.username, options.auth.password]);
    await writeFile(join(dir, "htpasswd"), stdout.trim() + "\n");
    authBlock = `auth:\n  htpasswd:\n    realm: flibs-test\n    path: ${join(dir, "htpasswd")}\n`;
  }
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const config =
      `version: 0.1\n` +
      `log:\n  level: error\n  accesslog:\n    disabled: true\n` +
      `storage:\n  cache:\n    blobdescriptor: inmemory\n  filesystem:\n    rootdirectory: ${storageDir}\n  delete:\n    enabled: true\n` +
      `  maintenance:\n    uploadpurging:\n      enabled: false\n` +
      `http:\n  addr: 127.0.0.1:${port}\n` +
      authBlock;
    const configPath = join(dir, "config.yml");
    await writeFile(configPath, config);
    const proc = spawn(REGISTRY_BIN, ["serve", configPath], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    proc.stderr?.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitForV2(url, proc, () => stderr);
    } catch (e) {
      proc.kill("SIGKILL");
      if (attempt < 2 && /address already in use/.test(stderr)) continue;
      await rm(dir, { recursive: true, force: true });
      throw e;
    }
    let stopped = false;
    // If this process ends without stop() (a crash, a closed pipe), the registry must not outlive it.
    const killOnExit = (): void => {
      proc.kill("SIGKILL");
    };
    process.once("exit", killOnExit);
    const registry: TestRegistry = {
      host: `127.0.0.1:${port}`,
      url,
      storageDir,
      async stop() {
        if (stopped) return;
        stopped = true;
        process.removeListener("exit", killOnExit);
        if (proc.exitCode === null && proc.signalCode === null) {
          const exited = new Promise((r) => proc.once("exit", r));
          proc.kill("SIGTERM");
          const t = setTimeout(() => proc.kill("SIGKILL"), 3000);
          await exited;
          clearTimeout(t);
        }
        await rm(dir, { recursive: true, force: true });
      },
    };
    if (options.auth) registry.credentials = options.auth;
    return registry;
  }
}

// ---------------------------------------------------------------------------------------------
// OCI image layouts

export const MT = {
  index: "application/vnd.oci.image.index.v1+json",
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
} as const;

export interface LayoutPlatform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface LayoutDescriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export interface WrittenLayout {
  dir: string;
  indexDigest: string;
  indexBytes: Buffer;
  manifests: Array<LayoutDescriptor & { platform: LayoutPlatform; layers: LayoutDescriptor[]; config: LayoutDescriptor }>;
  /** Total bytes of all blobs (configs + layers), counted once. */
  blobBytes: number;
}

export interface WriteLayoutOptions {
  platforms?: LayoutPlatform[];
  layersPerPlatform?: number;
  /** Size of each layer's random payload in bytes (incompressible). Default 4 KiB. */
  layerSize?: number;
  /** Layers shared by every platform (prepended), as real images share a base. */
  sharedLayers?: number;
}

const sha256 = (b: Uint8Array): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;

function tarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512, 0);
  h.write(name, 0, 100, "utf8");
  h.write("0000644\0", 100);
  h.write("0000000\0", 108);
  h.write("0000000\0", 116);
  h.write(size.toString(8).padStart(11, "0") + "\0", 124);
  h.write("00000000000\0", 136);
  h.write("        ", 148);
  h.write("0", 156);
  h.write("ustar\0", 257);
  h.write("00", 263);
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  return h;
}

/**
 * Writes one gzip layer (a tar holding one file of random bytes) into blobs/sha256, streaming so that
 * large layers (bench) never sit in memory. Returns descriptor and diffID.
 */
async function writeLayer(blobsDir: string, name: string, size: number): Promise<{ desc: LayoutDescriptor; diffId: string }> {
  const tmp = join(blobsDir, `.tmp-${randomBytes(6).toString("hex")}`);
  const tarHash = createHash("sha256");
  const gzHash = createHash("sha256");
  let gzSize = 0;
  async function* tar(): AsyncGenerator<Buffer> {
    const emit = (b: Buffer): Buffer => (tarHash.update(b), b);
    yield emit(tarHeader(name, size));
    for (let left = size; left > 0; left -= 1 << 20) yield emit(randomBytes(Math.min(left, 1 << 20)));
    yield emit(Buffer.alloc(((512 - (size % 512)) % 512) + 1024, 0));
  }
  async function* count(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      gzHash.update(chunk);
      gzSize += chunk.length;
      yield chunk;
    }
  }
  // Random payload is incompressible: store it (level 0) so writing 1 GB stays fast.
  const gz = createGzip({ level: size > 1 << 20 ? zconst.Z_NO_COMPRESSION : zconst.Z_DEFAULT_COMPRESSION });
  await pipeline(tar, gz, count, createWriteStream(tmp));
  const digest = `sha256:${gzHash.digest("hex")}`;
  await rename(tmp, join(blobsDir, digest.slice(7)));
  return { desc: { mediaType: MT.layerGzip, digest, size: gzSize }, diffId: `sha256:${tarHash.digest("hex")}` };
}

async function writeBlob(blobsDir: string, bytes: Buffer, mediaType: string): Promise<LayoutDescriptor> {
  const digest = sha256(bytes);
  await writeFile(join(blobsDir, digest.slice(7)), bytes);
  return { mediaType, digest, size: bytes.length };
}

/** Writes an OCI image layout (index.json + blobs) for a multi-platform image with random layers. */
export async function writeOciLayout(dir: string, options: WriteLayoutOptions = {}): Promise<WrittenLayout> {
  const platforms = options.platforms ?? [
    { os: "linux", architecture: "amd64" },
    { os: "linux", architecture: "arm64" },
  ];
  const perPlatform = options.layersPerPlatform ?? 1;
  const layerSize = options.layerSize ?? 4096;
  const blobsDir = join(dir, "blobs", "sha256");
  await mkdir(blobsDir, { recursive: true });
  await writeFile(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  const shared: Array<{ desc: LayoutDescriptor; diffId: string }> = [];
  for (let i = 0; i < (options.sharedLayers ?? 0); i++) shared.push(await writeLayer(blobsDir, `shared-${i}.bin`, layerSize));
  let blobBytes = shared.reduce((n, l) => n + l.desc.size, 0);
  const manifests: WrittenLayout["manifests"] = [];
  for (const platform of platforms) {
    const layers = [...shared];
    for (let i = 0; i < perPlatform; i++) {
      const l = await writeLayer(blobsDir, `${platform.architecture}-${i}.bin`, layerSize);
      blobBytes += l.desc.size;
      layers.push(l);
    }
    const config = Buffer.from(
      JSON.stringify({
        created: "2026-01-01T00:00:00Z",
        architecture: platform.architecture,
        os: platform.os,
        ...(platform.variant ? { variant: platform.variant } : {}),
        config: { Labels: { "org.opencontainers.image.title": "flibs-test", nonce: randomBytes(8).toString("hex") } },
        rootfs: { type: "layers", diff_ids: layers.map((l) => l.diffId) },
        history: layers.map(() => ({ created: "2026-01-01T00:00:00Z", created_by: "flibs test" })),
      }),
    );
    const configDesc = await writeBlob(blobsDir, config, MT.config);
    blobBytes += configDesc.size;
    const manifest = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: MT.manifest, config: configDesc, layers: layers.map((l) => l.desc) }),
    );
    const mdesc = await writeBlob(blobsDir, manifest, MT.manifest);
    manifests.push({ ...mdesc, platform, layers: layers.map((l) => l.desc), config: configDesc });
  }
  const indexBytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MT.index,
      manifests: manifests.map((m) => ({ mediaType: m.mediaType, digest: m.digest, size: m.size, platform: m.platform })),
    }),
  );
  const indexDesc = await writeBlob(blobsDir, indexBytes, MT.index);
  await writeFile(
    join(dir, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MT.index,
      manifests: [{ ...indexDesc, annotations: { "org.opencontainers.image.ref.name": "latest" } }],
    }),
  );
  return { dir, indexDigest: indexDesc.digest, indexBytes, manifests, blobBytes };
}

function credArgs(flag: "--dest-creds" | "--creds" | "--src-creds", creds?: RegistryCredentials): string[] {
  return creds ? [flag, `${creds.username}:${creds.password}`] : [];
}

async function skopeo(args: string[]): Promise<string> {
  const bin = await which("skopeo");
  try {
    const { stdout } = await run(bin, ["--insecure-policy", ...args], { maxBuffer: 64 << 20 });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`skopeo ${args[0]} failed: ${err.stderr || err.message}`, { cause: e });
  }
}

/** Pushes an OCI layout (the `latest` entry of index.json) to `HOST/REPO:TAG`, all platforms, digests kept. */
export async function pushLayout(layoutDir: string, dest: string, creds?: RegistryCredentials): Promise<void> {
  await skopeo([
    "copy",
    "--all",
    "--preserve-digests",
    "--dest-tls-verify=false",
    ...credArgs("--dest-creds", creds),
    `oci:${layoutDir}:latest`,
    `docker://${dest}`,
  ]);
}

/** The raw manifest as skopeo reads it, and its digest: the independent judge. */
export async function skopeoInspectRaw(ref: string, creds?: RegistryCredentials): Promise<{ raw: string; digest: string }> {
  const raw = await skopeo(["inspect", "--raw", "--tls-verify=false", ...credArgs("--creds", creds), `docker://${ref}`]);
  return { raw, digest: sha256(Buffer.from(raw)) };
}

/** Tags in a repository, as skopeo lists them. */
export async function skopeoListTags(repoRef: string, creds?: RegistryCredentials): Promise<string[]> {
  const out = await skopeo(["list-tags", "--tls-verify=false", ...credArgs("--creds", creds), `docker://${repoRef}`]);
  return (JSON.parse(out) as { Tags: string[] }).Tags;
}

export interface PushedImage extends WrittenLayout {
  /** `HOST/REPO:TAG` it was pushed to. */
  ref: string;
  cleanup(): Promise<void>;
}

/** Writes a layout in a temp dir and pushes it to `registry` as `repo:tag`. */
export async function pushTestImage(registry: TestRegistry, repoAndTag: string, options: WriteLayoutOptions = {}): Promise<PushedImage> {
  const dir = await mkdtemp(join(tmpdir(), "flibs-oci-"));
  try {
    const layout = await writeOciLayout(dir, options);
    const ref = `${registry.host}/${repoAndTag}`;
    await pushLayout(dir, ref, registry.credentials);
    return { ...layout, ref, cleanup: () => rm(dir, { recursive: true, force: true }) };
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}
