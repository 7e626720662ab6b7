/**
 * Reliability: registry faults during promotion. A fault-injecting proxy (test/helpers/fault-proxy.ts)
 * stands between the promotion engine and a real loopback registry, on the source side (reads), on the
 * destination side (uploads, manifest and tag PUTs) or in front of one registry holding both (mounts).
 *
 * Every case: the promotion either succeeds or fails with a FlibsError, within a bound (no hang), with no
 * unhandled rejection; then, asked of the registry itself (not through the proxy), every destination tag is
 * absent, still where it was before, or exactly the source digest, and a tag that landed names a complete
 * image (all of them, and the referrer carried, when the promotion said it succeeded); then a re-run
 * without faults completes, and skopeo (the independent judge) reads the source digest under every tag,
 * with every child manifest, blob and the referrer in place. Anything else is lost.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FlibsError } from "../../src/core/errors.js";
import { parseReference, parseRepository } from "../../src/core/oci/reference.js";
import { planTags, type PlannedTag } from "../../src/core/promote/tags.js";
import { promote, RegistryClient } from "../../src/registry/index.js";
import { startFaultProxy, type Fault, type FaultRule } from "../helpers/fault-proxy.js";
import { pushTestImage, startRegistry, type PushedImage, type TestRegistry } from "../helpers/registry.js";
import { failOnUnhandledRejections } from "../helpers/unhandled.js";
import { record } from "./ledger.js";

const run = promisify(execFile);
const AREA = "registry faults";
/** A promotion that takes longer than this counts as a hang. */
const HANG_MS = 20_000;
const TAG_NAMES = ["1.0.0", "1.0", "1", "latest"];
/** Cases run at once. An unhandled rejection is charged to every case running when it came. */
const PARALLEL = 3;

const digestOf = (b: Uint8Array): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;

function releaseTags(): PlannedTag[] {
  const r = planTags({ gitTag: "v1.0.0" });
  if (!r.ok) throw r.error;
  return r.value.tags;
}

async function skopeo(args: string[]): Promise<string> {
  try {
    const { stdout } = await run("skopeo", ["--insecure-policy", ...args], { maxBuffer: 16 << 20 });
    return stdout;
  } catch (e) {
    const err = e as { code?: string; stderr?: string; message: string };
    if (err.code === "ENOENT") throw new Error("skopeo is not installed: run `sudo bash scripts/setup-system.sh`", { cause: e });
    throw Object.assign(new Error(`skopeo ${args[0]} failed: ${err.stderr || err.message}`), { stderr: err.stderr ?? "" });
  }
}

/** The digest skopeo reads for `ref` (`host/repo:tag` or `@digest`), or undefined when there is no such manifest. */
async function judge(ref: string): Promise<string | undefined> {
  try {
    return digestOf(Buffer.from(await skopeo(["inspect", "--raw", "--tls-verify=false", `docker://${ref}`])));
  } catch (e) {
    if (/manifest unknown|not found|404/i.test((e as { stderr?: string }).stderr ?? "")) return undefined;
    throw e;
  }
}

const ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

/** The digest of what the registry itself (no proxy) serves for `host/repo` `ref`; undefined for 404. */
async function served(host: string, repo: string, ref: string): Promise<string | undefined> {
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${ref}`, { headers: { accept: ACCEPT } });
  const body = new Uint8Array(await res.arrayBuffer());
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`GET ${host}/v2/${repo}/manifests/${ref}: HTTP ${res.status}`);
  return digestOf(body);
}

type Topology = "cross-src" | "cross-dst" | "same";

interface Ctx {
  dest: string;
  root: string;
  child: string;
  /** A layer (40 kB) of the second platform. */
  layer: string;
}

interface Case {
  name: string;
  topology: Topology;
  /**
   * Faults drawn at random per request: which requests a promotion makes varies a little with timing, so one
   * such case may draw none; the group as a whole must still inject faults.
   */
  random?: boolean;
  rules: (c: Ctx) => FaultRule[];
  /** Source named by tag (`:rc`) instead of by digest. */
  byTag?: boolean;
  /**
   * The destination already has the older image under `latest` (the promotion moves that floating tag) or
   * under the release tag `1.0.0` (the promotion must be refused, and the tag stay, with or without faults).
   */
  preseed?: "latest" | "1.0.0";
}

interface Outcome {
  group: string;
  name: string;
  random: boolean;
  first: "succeeded" | "failed clean" | "failed untyped" | "hung";
  injected: number;
  problems: string[];
}

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Where faults can hit, as method + path (source repository `cand/app`, destination `c.dest`). */
const at = {
  srcRoot: (c: Ctx) => ({ method: "GET", path: new RegExp(`^/v2/cand/app/manifests/${c.root}$`) }),
  srcTag: () => ({ method: "GET", path: /^\/v2\/cand\/app\/manifests\/rc$/ }),
  srcChild: (c: Ctx) => ({ method: "GET", path: new RegExp(`^/v2/cand/app/manifests/${c.child}$`) }),
  srcLayer: (c: Ctx) => ({ method: "GET", path: new RegExp(`^/v2/cand/app/blobs/${c.layer}$`) }),
  srcAnyBlob: () => ({ method: "GET", path: /^\/v2\/cand\/app\/blobs\/sha256:/ }),
  srcReferrersApi: () => ({ method: "GET", path: /^\/v2\/cand\/app\/referrers\// }),
  /** The referrers API and the fallback tag `sha256-<hex>` both. */
  srcReferrers: () => ({ method: "GET", path: /^\/v2\/cand\/app\/(referrers\/|manifests\/sha256-)/ }),
  dstTagHead: (c: Ctx) => ({ method: "HEAD", path: new RegExp(`^/v2/${esc(c.dest)}/manifests/1\\.0\\.0$`) }),
  dstDigestHead: (c: Ctx) => ({ method: "HEAD", path: new RegExp(`^/v2/${esc(c.dest)}/manifests/sha256:`) }),
  dstBlobHead: (c: Ctx) => ({ method: "HEAD", path: new RegExp(`^/v2/${esc(c.dest)}/blobs/sha256:`) }),
  dstUploadStart: (c: Ctx) => ({ method: "POST", path: new RegExp(`^/v2/${esc(c.dest)}/blobs/uploads/$`) }),
  dstMount: (c: Ctx) => ({ method: "POST", path: new RegExp(`^/v2/${esc(c.dest)}/blobs/uploads/\\?.*mount=`) }),
  dstPatch: (c: Ctx) => ({ method: "PATCH", path: new RegExp(`^/v2/${esc(c.dest)}/blobs/uploads/`) }),
  dstCommit: (c: Ctx) => ({ method: "PUT", path: new RegExp(`^/v2/${esc(c.dest)}/blobs/uploads/.*[?&]digest=`) }),
  dstManifestPut: (c: Ctx) => ({ method: "PUT", path: new RegExp(`^/v2/${esc(c.dest)}/manifests/sha256:`) }),
  dstRootPut: (c: Ctx) => ({ method: "PUT", path: new RegExp(`^/v2/${esc(c.dest)}/manifests/${c.root}$`) }),
  dstReleaseTag: (c: Ctx) => ({ method: "PUT", path: new RegExp(`^/v2/${esc(c.dest)}/manifests/1\\.0\\.0$`) }),
  dstLatest: (c: Ctx) => ({ method: "PUT", path: new RegExp(`^/v2/${esc(c.dest)}/manifests/latest$`) }),
  dstFallbackPut: (c: Ctx) => ({ method: "PUT", path: new RegExp(`^/v2/${esc(c.dest)}/manifests/sha256-`) }),
  dstVerify: (c: Ctx) => ({ method: "GET", path: new RegExp(`^/v2/${esc(c.dest)}/manifests/${c.root}$`) }),
} satisfies Record<string, (c: Ctx) => { method: string; path: RegExp }>;

type Target = keyof typeof at;

function one(name: string, topology: Topology, target: Target, fault: Fault, nth: FaultRule["nth"] = 1, extra: Partial<Case> = {}): Case {
  return {
    name: `${topology} ${target} ${nth === "every" ? "every time" : `#${String(nth)}`}: ${name}`,
    topology,
    rules: (c) => [{ ...at[target](c), nth, fault }],
    ...extra,
  };
}

const status = (s: number, afterForward = false, retryAfterSeconds?: number): Fault =>
  retryAfterSeconds === undefined
    ? { kind: "status", status: s, afterForward }
    : { kind: "status", status: s, afterForward, retryAfterSeconds };

/** Another valid manifest: the same JSON with an annotation more (so another digest). */
const otherManifest = (body: Buffer): Buffer => {
  const j = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
  return Buffer.from(JSON.stringify({ ...j, annotations: { injected: "other bytes" } }));
};

/** A number in [0, 1) from a string (FNV-1a then a mulberry32 round): the same request of a seed draws the same. */
function draw(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  let t = (h + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const CHAOS_FAULTS: Fault[] = [
  status(500),
  status(503),
  status(503, true),
  status(429, false, 0),
  { kind: "reset" },
  { kind: "reset", afterForward: true },
  { kind: "reset-mid-body", afterBytes: 100 },
  { kind: "truncate", afterBytes: 100 },
  { kind: "trickle", chunkBytes: 1024, intervalMs: 2 },
  { kind: "delay", ms: 200 },
  { kind: "wrong-body" },
];

/**
 * Every request to either repository gets, with probability `p`, a fault drawn from the mix (a stall, which
 * costs the idle timeout, 1 in 20 of them). The draw depends on the seed, the request (destination repository and upload ids left out)
 * and how many times it was asked, not on arrival order: a case replays from its seed.
 */
function chaos(seed: number, topology: Topology, p: number): Case {
  return {
    name: `${topology} seed ${seed}: mixed faults on ${Math.round(p * 100)}% of requests`,
    topology,
    random: true,
    rules: () => {
      const asked = new Map<string, number>();
      return [
        {
          path: /^\/v2\/(cand|rel)\//,
          nth: "every",
          fault: ({ method, path }) => {
            const what = `${method} ${path
              .replace(/\?.*/, "")
              .replace(/^\/v2\/rel\/c\d+\//, "/v2/rel/DEST/")
              .replace(/\/uploads\/[^/]+$/, "/uploads/ID")}`;
            const n = (asked.get(what) ?? 0) + 1;
            asked.set(what, n);
            const key = `${seed} ${what} ${n}`;
            if (draw(key) >= p) return undefined;
            if (draw(`${key} stall`) < 0.05) return { kind: "stall" };
            return CHAOS_FAULTS[Math.floor(draw(`${key} kind`) * CHAOS_FAULTS.length)];
          },
        },
      ];
    },
  };
}

const TOPOLOGIES: Topology[] = ["cross-src", "cross-dst", "same"];

const GROUPS: Record<string, Case[]> = {
  "HTTP 500": [
    one("500", "cross-src", "srcRoot", status(500)),
    one("500", "cross-src", "srcChild", status(500)),
    one("500", "cross-src", "srcAnyBlob", status(500), [1, 2]),
    one("500", "cross-src", "srcLayer", status(500), "every"),
    one("500", "cross-src", "srcReferrersApi", status(500), "every"),
    one("500", "cross-src", "srcReferrers", status(500), "every"),
    {
      // As a registry with the referrers API (so no fallback tag) whose API keeps failing: the build record
      // must not be left behind by a promotion that says it succeeded.
      name: "cross-src srcReferrersApi every time: 500 from a registry with the API (fallback tag answers 404)",
      topology: "cross-src",
      rules: () => [
        { ...at.srcReferrersApi(), nth: "every", fault: status(500) },
        { method: "GET", path: /^\/v2\/cand\/app\/manifests\/sha256-/, nth: "every", fault: status(404) },
      ],
    },
    one("500", "cross-dst", "dstTagHead", status(500)),
    one("500", "cross-dst", "dstDigestHead", status(500)),
    one("500", "cross-dst", "dstBlobHead", status(500)),
    one("500", "cross-dst", "dstUploadStart", status(500)),
    one("500", "cross-dst", "dstPatch", status(500)),
    one("500 after the registry acted", "cross-dst", "dstCommit", status(500, true)),
    one("500 after the registry acted", "cross-dst", "dstManifestPut", status(500, true)),
    one("500 after the registry acted", "cross-dst", "dstReleaseTag", status(500, true)),
    one("500 after the registry acted", "cross-dst", "dstReleaseTag", status(500, true), "every"),
    one("500 on a floating tag move", "cross-dst", "dstLatest", status(500), "every", { preseed: "latest" }),
    one("500", "cross-dst", "dstVerify", status(500)),
    one("500 on the referrers' fallback index", "cross-dst", "dstFallbackPut", status(500), "every"),
    one("500", "same", "dstMount", status(500)),
    one("500", "same", "dstMount", status(500), "every"),
    one("500 after the registry acted", "same", "dstReleaseTag", status(500, true), "every"),
  ],
  "HTTP 503": [
    one("503", "cross-src", "srcRoot", status(503)),
    one("503", "cross-src", "srcAnyBlob", status(503), "every"),
    one("503 after the registry acted", "cross-dst", "dstPatch", status(503, true)),
    one("503 after the registry acted", "cross-dst", "dstCommit", status(503, true), "every"),
    one("503", "cross-dst", "dstRootPut", status(503)),
    one("503 after the registry acted", "cross-dst", "dstLatest", status(503, true), "every", { preseed: "latest" }),
    one("503 after the registry acted", "same", "dstMount", status(503, true)),
    one("503", "same", "dstRootPut", status(503), "every"),
  ],
  "429 with Retry-After": [
    one("429 Retry-After: 1", "cross-src", "srcRoot", status(429, false, 1)),
    one("429 Retry-After: 1", "cross-dst", "dstReleaseTag", status(429, false, 1)),
    one("429 Retry-After: 1", "same", "dstMount", status(429, false, 1)),
    one("429 Retry-After: 0", "cross-dst", "dstUploadStart", status(429, false, 0), "every"),
  ],
  "connection reset before the answer": [
    one("reset", "cross-src", "srcRoot", { kind: "reset" }),
    one("reset", "cross-src", "srcChild", { kind: "reset" }),
    one("reset", "cross-src", "srcAnyBlob", { kind: "reset" }),
    one("reset", "cross-src", "srcAnyBlob", { kind: "reset" }, "every"),
    one("reset", "cross-dst", "dstTagHead", { kind: "reset" }),
    one("reset", "cross-dst", "dstBlobHead", { kind: "reset" }),
    one("reset", "cross-dst", "dstUploadStart", { kind: "reset" }),
    one("reset after 10 kB of the upload", "cross-dst", "dstPatch", { kind: "reset", afterRequestBytes: 10_000 }),
    one("reset after 10 kB of the upload", "cross-dst", "dstPatch", { kind: "reset", afterRequestBytes: 10_000 }, "every"),
    one("reset after the registry acted", "cross-dst", "dstCommit", { kind: "reset", afterForward: true }),
    one("reset after the registry acted", "cross-dst", "dstManifestPut", { kind: "reset", afterForward: true }),
    one("reset after the registry acted", "cross-dst", "dstReleaseTag", { kind: "reset", afterForward: true }),
    one("reset after the registry acted", "cross-dst", "dstReleaseTag", { kind: "reset", afterForward: true }, "every"),
    one("reset on a floating tag move", "cross-dst", "dstLatest", { kind: "reset" }, "every", { preseed: "latest" }),
    one("reset", "cross-dst", "dstVerify", { kind: "reset" }),
    one("reset after the registry acted", "cross-dst", "dstFallbackPut", { kind: "reset", afterForward: true }),
    one("reset after the registry acted", "same", "dstMount", { kind: "reset", afterForward: true }),
    one("reset", "same", "dstMount", { kind: "reset" }, "every"),
    one("reset after the registry acted", "same", "dstReleaseTag", { kind: "reset", afterForward: true }, "every"),
  ],
  "connection reset mid-body": [
    one("reset after 10 kB", "cross-src", "srcLayer", { kind: "reset-mid-body", afterBytes: 10_000 }),
    one("reset after 10 kB", "cross-src", "srcLayer", { kind: "reset-mid-body", afterBytes: 10_000 }, [1, 2]),
    one("reset after 10 kB", "cross-src", "srcLayer", { kind: "reset-mid-body", afterBytes: 10_000 }, "every"),
    one("reset after 100 bytes", "cross-src", "srcChild", { kind: "reset-mid-body", afterBytes: 100 }),
    one("reset after 100 bytes", "cross-src", "srcRoot", { kind: "reset-mid-body", afterBytes: 100 }, "every"),
    one("reset after 100 bytes", "cross-dst", "dstVerify", { kind: "reset-mid-body", afterBytes: 100 }),
    one("reset after 100 bytes", "same", "srcChild", { kind: "reset-mid-body", afterBytes: 100 }),
  ],
  "slow answers": [
    one("headers 1 s late", "cross-src", "srcRoot", { kind: "delay", ms: 1000 }),
    one("body trickled 2 kB / 5 ms", "cross-src", "srcLayer", { kind: "trickle", chunkBytes: 2048, intervalMs: 5 }),
    one("body trickled 64 B / 5 ms", "cross-src", "srcChild", { kind: "trickle", chunkBytes: 64, intervalMs: 5 }),
    one("answer 1 s late after the registry acted", "cross-dst", "dstReleaseTag", { kind: "delay", ms: 1000, afterForward: true }),
    one("answer 0.5 s late after the registry acted", "cross-dst", "dstPatch", { kind: "delay", ms: 500, afterForward: true }, "every"),
    one("answer 0.5 s late", "same", "dstMount", { kind: "delay", ms: 500 }, "every"),
  ],
  "truncated bodies": [
    one("20 kB of a 40 kB layer, then FIN", "cross-src", "srcLayer", { kind: "truncate", afterBytes: 20_000 }),
    one("20 kB of a 40 kB layer, then FIN", "cross-src", "srcLayer", { kind: "truncate", afterBytes: 20_000 }, "every"),
    one("first 100 bytes, then FIN", "cross-src", "srcChild", { kind: "truncate", afterBytes: 100 }),
    one("first 100 bytes, then FIN", "cross-src", "srcRoot", { kind: "truncate", afterBytes: 100 }),
    one("first 1 byte, then FIN", "cross-src", "srcAnyBlob", { kind: "truncate", afterBytes: 1 }, [1, 3]),
    one("first 50 bytes, then FIN", "cross-dst", "dstVerify", { kind: "truncate", afterBytes: 50 }),
    one("first 100 bytes, then FIN", "same", "srcChild", { kind: "truncate", afterBytes: 100 }, "every"),
  ],
  "wrong digest served": [
    one("a layer with a byte flipped", "cross-src", "srcLayer", { kind: "wrong-body" }),
    one("a layer with a byte flipped", "cross-src", "srcLayer", { kind: "wrong-body" }, "every"),
    one("a blob with a byte flipped", "cross-src", "srcAnyBlob", { kind: "wrong-body" }, [1, 2, 3]),
    one("another manifest under a child digest", "cross-src", "srcChild", { kind: "wrong-body", replace: otherManifest }),
    one("another manifest under a child digest", "cross-src", "srcChild", { kind: "wrong-body", replace: otherManifest }, "every"),
    one("another manifest under the root digest", "cross-src", "srcRoot", { kind: "wrong-body", replace: otherManifest }),
    one(
      "another manifest under the tag (Docker-Content-Digest kept)",
      "cross-src",
      "srcTag",
      { kind: "wrong-body", replace: otherManifest },
      1,
      { byTag: true },
    ),
    one("another manifest read back after the copy", "cross-dst", "dstVerify", { kind: "wrong-body", replace: otherManifest }),
    one("the absent release tag said to point elsewhere", "cross-dst", "dstTagHead", {
      kind: "wrong-body",
      status: 200,
      headers: { "docker-content-digest": `sha256:${"0".repeat(64)}`, "content-type": "application/vnd.oci.image.index.v1+json" },
    }),
    one("another manifest under a child digest", "same", "srcChild", { kind: "wrong-body", replace: otherManifest }, "every"),
  ],
  "stalled answers": [
    one("no answer", "cross-src", "srcRoot", { kind: "stall" }),
    one("stops after 10 kB", "cross-src", "srcLayer", { kind: "stall", afterBytes: 10_000 }),
    one("no answer", "cross-dst", "dstReleaseTag", { kind: "stall" }),
    one("no answer", "same", "dstMount", { kind: "stall" }),
  ],
  "destination claims what it lacks": [
    one(
      "HEAD says a missing blob is there",
      "cross-dst",
      "dstBlobHead",
      { kind: "wrong-body", status: 200, headers: { "content-length": "40000" } },
      [1, 2],
    ),
    one("HEAD says a missing manifest is there", "cross-dst", "dstDigestHead", { kind: "wrong-body", status: 200 }, [1, 2]),
    one("a mount answered 201 that mounted nothing", "same", "dstMount", status(201), [1, 2]),
    one("an upload commit answered 201 that committed nothing", "cross-dst", "dstCommit", status(201)),
    one("a manifest PUT answered 201 that stored nothing", "cross-dst", "dstManifestPut", status(201)),
    one("a tag PUT answered 201 that stored nothing", "cross-dst", "dstLatest", status(201)),
  ],
  "release tag already taken (stays put)": [
    one("404 for the taken tag, once (the re-check before writing sees it)", "cross-dst", "dstTagHead", status(404), 1, {
      preseed: "1.0.0",
    }),
    one("404 for the taken tag, once", "same", "dstTagHead", status(404), 1, { preseed: "1.0.0" }),
    one("500", "cross-dst", "dstTagHead", status(500), "every", { preseed: "1.0.0" }),
    one("reset", "cross-dst", "dstTagHead", { kind: "reset" }, [1, 2], { preseed: "1.0.0" }),
    one("reset after the registry acted", "same", "dstTagHead", { kind: "reset", afterForward: true }, [1, 2], { preseed: "1.0.0" }),
  ],
  "mixed faults at random (seeded)": Array.from({ length: 12 }, (_, i) => chaos(1000 + i, TOPOLOGIES[i % 3]!, i < 6 ? 0.15 : 0.3)),
};

describe("registry faults during promotion (proxy between the engine and real registries)", () => {
  let src: TestRegistry;
  let dst: TestRegistry;
  let img: PushedImage;
  let old: PushedImage;
  let referrer: string;
  let caseNo = 0;
  const { seen: unhandled } = failOnUnhandledRejections({ scope: "file", uncaught: true });

  beforeAll(async () => {
    [src, dst] = await Promise.all([startRegistry(), startRegistry()]);
    img = await pushTestImage(src, "cand/app:rc", { layersPerPlatform: 1, sharedLayers: 1, layerSize: 40_000 });
    old = await pushTestImage(src, "cand/app:old", { layersPerPlatform: 1, layerSize: 1000 });
    // A build record referring to the index: promotion carries it, so a re-run must too.
    const client = new RegistryClient();
    const repo = { registry: src.host, repository: "cand/app" };
    const cfg = new TextEncoder().encode('{"note":"build record"}');
    await client.pushBlob(repo, digestOf(cfg), cfg, cfg.byteLength);
    const artifact = new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        artifactType: "application/vnd.flibs.build-record+json",
        config: { mediaType: "application/vnd.oci.empty.v1+json", digest: digestOf(cfg), size: cfg.byteLength },
        layers: [{ mediaType: "application/json", digest: digestOf(cfg), size: cfg.byteLength }],
        subject: { mediaType: "application/vnd.oci.image.index.v1+json", digest: img.indexDigest, size: img.indexBytes.byteLength },
      }),
    );
    referrer = await client.putReferrer(repo, img.indexDigest, artifact, "application/vnd.oci.image.manifest.v1+json");
    client.transport.close();
  });
  afterAll(async () => {
    await Promise.all([img?.cleanup(), old?.cleanup()]);
    await Promise.all([src?.stop(), dst?.stop()]);
  });

  /** What of the promoted image (child manifests, blobs) `host/dest` lacks, asked of the registry itself. */
  async function missing(host: string, dest: string): Promise<string[]> {
    const blobs = new Set(img.manifests.flatMap((m) => [m.config.digest, ...m.layers.map((l) => l.digest)]));
    const absent: string[] = [];
    await Promise.all([
      ...img.manifests.map(async (m) => {
        const d = await served(host, dest, m.digest);
        if (d !== m.digest) absent.push(`manifest ${m.digest} (${d ?? "absent"})`);
      }),
      ...[...blobs].map(async (b) => {
        const res = await fetch(`http://${host}/v2/${dest}/blobs/${b}`, { method: "HEAD" });
        if (res.status !== 200) absent.push(`blob ${b} (${res.status})`);
      }),
    ]);
    return absent;
  }

  /** The build record is at `host/dest` and listed in its subject's fallback index (this registry has no referrers API). */
  async function carriesReferrer(host: string, dest: string): Promise<boolean> {
    if ((await served(host, dest, referrer)) !== referrer) return false;
    const res = await fetch(`http://${host}/v2/${dest}/manifests/sha256-${img.indexDigest.slice(7)}`, { headers: { accept: ACCEPT } });
    if (res.status !== 200) return false;
    const index = (await res.json()) as { manifests?: Array<{ digest: string }> };
    return (index.manifests ?? []).some((m) => m.digest === referrer);
  }

  const newClient = (): RegistryClient =>
    new RegistryClient({ retry: { retries: 3, baseDelayMs: 10, maxDelayMs: 2000 }, idleTimeoutMs: 1500 });

  async function bounded<T>(p: Promise<T>): Promise<{ state: "ok"; value: T } | { state: "error"; error: unknown } | { state: "hung" }> {
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<{ state: "hung" }>((r) => {
      timer = setTimeout(() => r({ state: "hung" }), HANG_MS);
    });
    try {
      return await Promise.race([p.then((value) => ({ state: "ok" as const, value })), hang]);
    } catch (error) {
      return { state: "error", error };
    } finally {
      clearTimeout(timer);
    }
  }

  async function runCase(group: string, c: Case): Promise<Outcome> {
    const n = ++caseNo;
    const dest = `rel/c${n}`;
    const backend = c.topology === "cross-dst" ? dst : src;
    const judgeHost = c.topology === "same" ? src.host : dst.host;
    const proxy = await startFaultProxy(backend.url);
    const srcHost = c.topology === "cross-dst" ? src.host : proxy.host;
    const dstHost = c.topology === "cross-src" ? dst.host : proxy.host;
    const ctx: Ctx = { dest, root: img.indexDigest, child: img.manifests[0]!.digest, layer: img.manifests[1]!.layers.at(-1)!.digest };
    const problems: string[] = [];
    const before: Record<string, string | undefined> = {};
    if (c.preseed) {
      await skopeo([
        "copy",
        "--all",
        "--preserve-digests",
        "--src-tls-verify=false",
        "--dest-tls-verify=false",
        `docker://${src.host}/cand/app:old`,
        `docker://${judgeHost}/${dest}:${c.preseed}`,
      ]);
      before[c.preseed] = old.indexDigest;
    }
    const taken = c.preseed === "1.0.0";
    const refused = (e: unknown): boolean => e instanceof FlibsError && e.code === "refused";
    const options = {
      source: parseReference(c.byTag ? `${srcHost}/cand/app:rc` : `${srcHost}/cand/app@${img.indexDigest}`),
      destination: parseRepository(`${dstHost}/${dest}`),
      tags: releaseTags(),
      concurrency: 4,
      blobRetryDelayMs: 20,
    };
    const seenUnhandled = unhandled.length;
    let proxyFaults: string[];
    const t0 = Date.now();
    let tFirst: number, tJudge: number, tRerun: number;
    let first: Outcome["first"];
    let injected: number;
    try {
      proxy.setRules(c.rules(ctx));
      const client = newClient();
      const r = await bounded(promote(client, options));
      tFirst = Date.now() - t0;
      // Let what was still in flight (transfers after a failure) finish before judging.
      if (!(await proxy.idle(8000))) problems.push(`requests still in flight 8 s after the promotion ended: ${proxy.pending().join(", ")}`);
      client.transport.close();
      injected = proxy.injected();
      if (r.state === "hung") first = "hung";
      else if (r.state === "ok") first = "succeeded";
      else first = r.error instanceof FlibsError ? "failed clean" : "failed untyped";
      if (first === "hung") problems.push(`no outcome within ${HANG_MS / 1000} s`);
      if (first === "failed untyped") problems.push(`untyped error: ${String((r as { error: unknown }).error)}`);
      if (r.state === "ok" && r.value.digest !== img.indexDigest) problems.push(`reported digest ${r.value.digest}`);
      if (taken && first === "succeeded") problems.push("promoted although the release tag is taken");

      const afterFault = await Promise.all(TAG_NAMES.map((t) => served(judgeHost, dest, t)));
      TAG_NAMES.forEach((t, i) => {
        const now = afterFault[i];
        // A release tag that exists never moves; a floating one is where it was or at the source.
        const allowed =
          t === "1.0.0" && before[t] ? [before[t]] : first === "succeeded" ? [img.indexDigest] : [undefined, img.indexDigest, before[t]];
        if (!allowed.includes(now)) problems.push(`after the fault ${t} -> ${now ?? "absent"}`);
      });
      // A tag that landed names a whole image: every child manifest and blob is there.
      if (afterFault.some((d) => d === img.indexDigest)) {
        for (const m of await missing(judgeHost, dest)) problems.push(`tagged after the fault but missing ${m}`);
      }
      // A promotion that says it succeeded carried the build record too (findable from its subject).
      if (first === "succeeded" && !(await carriesReferrer(judgeHost, dest))) problems.push("succeeded without the referrer");

      tJudge = Date.now() - t0 - tFirst;
      proxy.setRules([]);
      const client2 = newClient();
      const again = await bounded(promote(client2, options));
      await proxy.idle(5000);
      client2.transport.close();
      tRerun = Date.now() - t0 - tFirst - tJudge;
      const rerunOk = taken ? again.state === "error" && refused(again.error) : again.state === "ok";
      if (!rerunOk) {
        problems.push(
          `re-run without faults: ${again.state === "hung" ? "hung" : again.state === "ok" ? "promoted" : String(again.error)}`,
        );
      }
      // skopeo is the independent judge of where the tags point in the end.
      const afterRerun = await Promise.all(TAG_NAMES.map((t) => judge(`${judgeHost}/${dest}:${t}`)));
      // Refused: the taken release tag stays, and no floating tag was written.
      const wanted = TAG_NAMES.map((t) => (taken ? (t === "1.0.0" ? old.indexDigest : afterFault[TAG_NAMES.indexOf(t)]) : img.indexDigest));
      afterRerun.forEach((d, i) => {
        if (d !== wanted[i]) problems.push(`after the re-run ${TAG_NAMES[i]} -> ${d ?? "absent"}`);
      });
      if (!taken) {
        for (const m of await missing(judgeHost, dest)) problems.push(`after the re-run missing ${m}`);
        if (!(await carriesReferrer(judgeHost, dest))) problems.push("the re-run did not carry the referrer");
      }
    } finally {
      proxyFaults = proxy.log.filter((l) => l.fault).map((l) => `${l.fault} ${l.method} ${l.path.replace(/\?.*/, "")}`);
      await proxy.close();
    }
    if (problems.length > 0) problems.push(`faults: ${proxyFaults.join(", ")}`);
    // Every rejection that arrived while this case ran (including ones charged to neighbours running too).
    if (unhandled.length > seenUnhandled) problems.push(`unhandled: ${unhandled.slice(seenUnhandled).map(String).join("; ")}`);
    if (process.env.FLIBS_FAULTS_VERBOSE)
      process.stdout.write(
        `${group} | ${c.name} | ${first!} | ${Date.now() - t0} ms (first ${tFirst} ms, judged ${tJudge} ms, re-run ${tRerun} ms) ${problems.join("; ")}\n`,
      );
    return { group, name: c.name, random: c.random === true, first: first!, injected, problems };
  }

  const summary: Outcome[] = [];
  afterAll(() => {
    const lines = Object.keys(GROUPS).map((g) => {
      const os = summary.filter((o) => o.group === g);
      const count = (f: Outcome["first"]) => os.filter((o) => o.first === f).length;
      return `${g}: ${os.length} cases, ${count("succeeded")} rode it out, ${count("failed clean")} failed clean, ${os.filter((o) => o.problems.length).length} lost`;
    });
    process.stdout.write(`registry faults:\n  ${lines.join("\n  ")}\n`);
  });

  for (const [group, cases] of Object.entries(GROUPS)) {
    it(`${group}: ${cases.length} cases, each rides it out or fails clean, no tag points anywhere it must not, a re-run ends as it must`, async () => {
      // A few cases at once (each has its own proxy and destination repository); most of a case is waiting.
      const outcomes: Outcome[] = new Array<Outcome>(cases.length);
      let next = 0;
      await Promise.all(
        Array.from({ length: PARALLEL }, async () => {
          for (let i = next++; i < cases.length; i = next++) outcomes[i] = await runCase(group, cases[i]!);
        }),
      );
      summary.push(...outcomes);
      const lost = outcomes.filter((o) => o.problems.length > 0);
      record({ area: AREA, what: group, tried: outcomes.length, held: outcomes.length - lost.length, lost: lost.length });
      // Every rule hit what it aimed at (a rule that never fired tests nothing); random draws, as a group.
      expect(outcomes.filter((o) => !o.random && o.injected === 0).map((o) => o.name)).toEqual([]);
      const random = outcomes.filter((o) => o.random);
      if (random.length) expect(random.filter((o) => o.injected > 0).length).toBeGreaterThanOrEqual(Math.ceil(random.length / 2));
      expect(lost.map((o) => `${o.name}: ${o.problems.join("; ")}`)).toEqual([]);
    }, 90_000);
  }
});
