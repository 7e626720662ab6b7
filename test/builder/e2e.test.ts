import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { buildArch, filesFromLayers, publish, type ArchBuildResult } from "../../src/builder/index.js";
import { MEDIA, referrersTag } from "../../src/core/build/index.js";
import { parseContainerConfig, type ContainerConfig } from "../../src/core/config/index.js";
import type { Arch } from "../../src/core/platform.js";
import { RegistryClient } from "../../src/registry/index.js";
import { skopeoInspectRaw, skopeoListTags, startRegistry, type TestRegistry } from "../helpers/registry.js";
import { makeContainerRepo, newStorage, pushBusyboxBase, requireBuildTools, type Storage } from "./helpers.js";

const exec = promisify(execFile);
const ARCHES: Arch[] = ["x86_64", "aarch64"];

let registry: TestRegistry;
let storage: Storage;
let repo: Awaited<ReturnType<typeof makeContainerRepo>>;
let config: ContainerConfig;
let client: RegistryClient;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  await requireBuildTools();
  registry = await startRegistry();
  cleanups.push(() => registry.stop());
  storage = await newStorage();
  cleanups.push(() => storage.remove());
  await pushBusyboxBase(storage, `${registry.host}/base/busybox:1`);
  repo = await makeContainerRepo(`${registry.host}/base/busybox:1`);
  cleanups.push(() => repo.remove());
  const parsed = parseContainerConfig(await readFile(join(repo.dir, "container.yaml"), "utf8"));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.findings));
  config = parsed.value;
  client = new RegistryClient();
}, 300_000);

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

async function buildAll(builder: Storage["builder"], runTests = true): Promise<ArchBuildResult[]> {
  const out: ArchBuildResult[] = [];
  // One arch at a time, added in the fixed order.
  for (const arch of ARCHES) {
    out.push(
      await buildArch({
        contextDir: repo.dir,
        config,
        arch,
        plannedArches: ARCHES,
        repository: { registry: registry.host, repository: "candidates/demo/app" },
        source: "https://github.example.com/my-org/app",
        approvedRegistries: [registry.host],
        builder,
        client,
        insecure: () => true,
        runTests,
      }),
    );
  }
  return out;
}

async function configOf(digest: string): Promise<{ architecture: string; config: { Labels: Record<string, string> } }> {
  const out = await exec("skopeo", [
    "inspect",
    "--config",
    "--raw",
    "--tls-verify=false",
    `docker://${registry.host}/candidates/demo/app@${digest}`,
  ]);
  return JSON.parse(out.stdout);
}

async function fileIn(digest: string, path: string): Promise<string | undefined> {
  const repoRef = { registry: registry.host, repository: "candidates/demo/app" };
  const m = await client.getManifest({ ...repoRef, digest });
  if (m.manifest.kind !== "manifest") throw new Error("not an image");
  const tars = [];
  for (const l of m.manifest.layers) tars.push(gunzipSync(await client.getBlob(repoRef, l.digest)));
  const f = filesFromLayers(tars, [path]).get(path);
  return f ? Buffer.from(f).toString("utf8") : undefined;
}

describe("2-arch build, publish and record (buildah, qemu, real registry)", () => {
  let first: ArchBuildResult[];
  let published: Awaited<ReturnType<typeof publish>>;

  it("builds x86_64 and aarch64, each on its own arch, with passing image tests, looking the base up once", async () => {
    const lookups: string[] = [];
    const getManifest = client.getManifest.bind(client);
    const spy = vi.spyOn(client, "getManifest").mockImplementation((ref) => {
      lookups.push(`${ref.repository}:${ref.tag ?? ref.digest}`);
      return getManifest(ref);
    });
    try {
      first = await buildAll(storage.builder);
    } finally {
      spy.mockRestore();
    }
    // Both arches pin from one look at the base's tag (it cannot move between them).
    expect(lookups.filter((l) => l.startsWith("base/busybox:"))).toEqual(["base/busybox:1"]);
    expect(first.map((r) => r.arch)).toEqual(ARCHES);
    for (const r of first) {
      expect(r.tests).toEqual([expect.objectContaining({ name: "arch", passed: true })]);
      expect(r.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(r.size).toBeGreaterThan(500_000);
      expect(Object.values(r.baseDigests)).toHaveLength(1);
    }
    expect(await fileIn(first[0]!.digest, "etc/flibs-arch")).toBe("x86_64\n");
    expect(await fileIn(first[1]!.digest, "etc/flibs-arch")).toBe("aarch64\n");
  }, 300_000);

  it("labels each image from the commit and embeds the pinned Dockerfile", async () => {
    for (const r of first) {
      const cfg = await configOf(r.digest);
      expect(cfg.architecture).toBe(r.arch === "x86_64" ? "amd64" : "arm64");
      const l = cfg.config.Labels;
      expect(l["org.opencontainers.image.revision"]).toBe(repo.sha);
      expect(l["vcs-ref"]).toBe(repo.sha);
      expect(l["org.opencontainers.image.created"]).toBe("2023-11-14T22:13:20Z");
      expect(l["org.opencontainers.image.source"]).toBe("https://github.example.com/my-org/app");
      expect(l.architecture).toBe(r.arch);
      expect(l.version).toBe("1.0");
      expect(l.release).toBe("3");
      expect(l["com.redhat.component"]).toBe("app");
      expect(l["io.buildah.version"]).toBeUndefined();
      const embedded = await fileIn(r.digest, "root/buildinfo/Dockerfile-demo-app-1.0-3");
      const base = JSON.parse((await skopeoInspectRaw(`${registry.host}/base/busybox:1`)).raw);
      const archBase = base.manifests[r.arch === "x86_64" ? 0 : 1].digest;
      expect(Object.values(r.baseDigests)).toEqual([archBase]);
      expect(embedded).toContain(`FROM ${registry.host}/base/busybox@${archBase}`);
      expect(embedded).toContain("uname -m > /etc/flibs-arch");
    }
  });

  it("publishes one index in fixed arch order under the candidate tags, with the build record as a referrer", async () => {
    // Digests given in the reverse order: the index order must not follow it.
    published = await publish({
      client,
      repository: { registry: registry.host, repository: "candidates/demo/app" },
      sha: repo.sha,
      arches: ["aarch64", "x86_64"],
      pr: 7,
      tree: first[0]!.commit.tree,
      dockerfileDigest: first[0]!.dockerfileDigest,
      buildId: `${repo.sha}.1`,
    });
    const judged = await skopeoInspectRaw(`${registry.host}/candidates/demo/app:pr-7-${repo.sha.slice(0, 7)}`);
    expect(judged.digest).toBe(published.indexDigest);
    const index = JSON.parse(judged.raw);
    expect(index.mediaType).toBe(MEDIA.index);
    expect(index.manifests.map((m: { platform: { architecture: string }; digest: string }) => [m.platform.architecture, m.digest])).toEqual(
      [
        ["amd64", first[0]!.digest],
        ["arm64", first[1]!.digest],
      ],
    );
    expect((await skopeoInspectRaw(`${registry.host}/candidates/demo/app:sha-${repo.sha}`)).digest).toBe(published.indexDigest);

    // distribution 2.8 has no referrers API: the record is found through the sha256-<hex> tag fallback.
    expect(await skopeoListTags(`${registry.host}/candidates/demo/app`)).toContain(referrersTag(published.indexDigest));
    const refs = await client.getReferrers(
      { registry: registry.host, repository: "candidates/demo/app" },
      published.indexDigest,
      MEDIA.buildRecord,
    );
    expect(refs).toHaveLength(1);
    const artifact = await client.getManifest({ registry: registry.host, repository: "candidates/demo/app", digest: refs[0]!.digest });
    expect(artifact.manifest.kind).toBe("manifest");
    if (artifact.manifest.kind !== "manifest") return;
    expect(artifact.manifest.subject?.digest).toBe(published.indexDigest);
    const record = JSON.parse(
      Buffer.from(
        await client.getBlob({ registry: registry.host, repository: "candidates/demo/app" }, artifact.manifest.layers[0]!.digest),
      ).toString(),
    );
    expect(record.commit).toBe(repo.sha);
    expect(record.tree).toBe(first[0]!.commit.tree);
    expect(record.dockerfileDigest).toBe(first[0]!.dockerfileDigest);
    expect(Object.keys(record.arches)).toEqual(["x86_64", "aarch64"]);
    expect(record.arches.aarch64.baseDigest).toBe(Object.values(first[1]!.baseDigests)[0]);
    expect(record.arches.x86_64.baseDigest).toBe(Object.values(first[0]!.baseDigests)[0]);
    expect(record.arches.x86_64.packages["busybox-static"]).toBe("1:1.35.0-4+deb12u1+b1");
    expect(record.labels["vcs-ref"]).toBe(repo.sha);
  }, 120_000);

  it("reports the package whose version differs between the arches, in the record and the result, from each arch's package database", () => {
    expect(published.drift).toEqual([{ name: "libc6", versions: { x86_64: "2.36-9+deb12u13", aarch64: "2.36-9+deb12u10" } }]);
    expect(published.record.componentDrift).toEqual(published.drift);
    // The job summary says packages were compared only when a database was read for every arch.
    expect(published.rows.map((r) => [r.arch, r.packages.db, (r.packages.count ?? 0) > 0])).toEqual([
      ["x86_64", "dpkg", true],
      ["aarch64", "dpkg", true],
    ]);
    expect(published.failed).toBe(false);
  });

  it("a second build of the same commit, in a fresh storage, gives the same digests and the same index", async () => {
    const other = await newStorage();
    try {
      // Without image tests buildah commits straight to the registry (no local image): same bytes.
      const again = await buildAll(other.builder, false);
      expect(again.map((r) => r.digest)).toEqual(first.map((r) => r.digest));
      expect(again.flatMap((r) => r.tests)).toEqual([]);
      const { stdout } = await exec("buildah", [
        "--root",
        other.options.root!,
        "--runroot",
        other.options.runroot!,
        "--storage-driver",
        "vfs",
        "images",
        "--format",
        "{{.Name}}",
      ]);
      expect(stdout.split("\n").filter((n) => n.includes("flibs-build") || n.includes("candidates"))).toEqual([]);
      const republished = await publish({
        client,
        repository: { registry: registry.host, repository: "candidates/demo/app" },
        sha: repo.sha,
        arches: ARCHES,
        pr: 7,
        tree: first[0]!.commit.tree,
        dockerfileDigest: first[0]!.dockerfileDigest,
        buildId: `${repo.sha}.1`,
      });
      expect(republished.indexDigest).toBe(published.indexDigest);
      expect(republished.recordDigest).toBe(published.recordDigest);
    } finally {
      await other.remove();
    }
  }, 300_000);

  it("refuses a base that lacks a planned arch, naming the arch, and a base from an unapproved registry", async () => {
    const base = {
      contextDir: repo.dir,
      config,
      arch: "x86_64" as const,
      repository: { registry: registry.host, repository: "candidates/demo/app" },
      source: "https://github.example.com/my-org/app",
      builder: storage.builder,
      client,
      insecure: () => true,
    };
    await expect(
      buildArch({ ...base, plannedArches: ["x86_64", "aarch64", "s390x"], approvedRegistries: [registry.host] }),
    ).rejects.toThrow(/has no s390x image/);
    await expect(buildArch({ ...base, plannedArches: ARCHES, approvedRegistries: ["registry.fedoraproject.org"] })).rejects.toThrow(
      /not from an approved registry/,
    );
  });
});
