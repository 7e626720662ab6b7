import { execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { skopeoInspectRaw, startRegistry, type TestRegistry } from "../helpers/registry.js";
import { makeContainerRepo, newStorage, pushBusyboxBase, requireBuildTools, type Storage } from "./helpers.js";

let registry: TestRegistry;
let storage: Storage;
let repo: Awaited<ReturnType<typeof makeContainerRepo>>;
let work: string;

beforeAll(async () => {
  await requireBuildTools();
  registry = await startRegistry();
  storage = await newStorage();
  await pushBusyboxBase(storage, `${registry.host}/base/busybox:1`);
  repo = await makeContainerRepo(`${registry.host}/base/busybox:1`);
  work = await mkdtemp(join(tmpdir(), "flibs-cli-build-"));
  const conf = join(work, "storage.conf");
  await writeFile(conf, `[storage]\ndriver = "vfs"\ngraphroot = "${storage.options.root}"\nrunroot = "${storage.options.runroot}"\n`);
  // The CLI's buildah uses the default storage; point it at this test's private one.
  process.env.CONTAINERS_STORAGE_CONF = conf;
}, 300_000);

afterAll(async () => {
  delete process.env.CONTAINERS_STORAGE_CONF;
  await repo?.remove();
  await storage?.remove();
  await registry?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

async function flibs(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    cwd: repo.dir,
    env: { ...process.env, HOME: work },
  });
  return { code, stdout, stderr };
}

describe("flibs build and flibs publish", () => {
  it("builds x86_64 and aarch64, publishes the index and prints its digest", async () => {
    const r = await flibs(
      "build",
      ".",
      "--platforms",
      "x86_64,aarch64",
      "--push",
      `${registry.host}/local/app:dev`,
      "--allow-base",
      registry.host,
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    // The table (header, one row per arch, the index and the record), then the result line.
    expect(lines.map((l) => l.split(/ +/)[0])).toEqual([
      "arch",
      "x86_64",
      "aarch64",
      "index",
      "record",
      expect.stringContaining(`${registry.host}/local/app:dev@sha256:`),
    ]);
    const judged = await skopeoInspectRaw(`${registry.host}/local/app:dev`);
    expect(lines[5]).toBe(`${registry.host}/local/app:dev@${judged.digest}`);
    expect(lines[3]).toContain(judged.digest);
    expect(JSON.parse(judged.raw).manifests.map((m: { platform: { architecture: string } }) => m.platform.architecture)).toEqual([
      "amd64",
      "arm64",
    ]);
    expect(r.stderr).toContain("component drift: libc6 x86_64=2.36-9+deb12u13 aarch64=2.36-9+deb12u10");

    // The index step alone, from the per-arch tags the build left, gives the same index.
    const p = await flibs("publish", ".", "--platforms", "aarch64,x86_64", "--push", `${registry.host}/local/app:again`);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout.trim().split("\n").pop()).toBe(`${registry.host}/local/app:again@${judged.digest}`);
    const f = await flibs(
      "publish",
      ".",
      "--platforms",
      "x86_64,aarch64",
      "--push",
      `${registry.host}/local/app:strict`,
      "--fail-on-drift",
    );
    expect(f.code).toBe(1);
    // Failed before any tag was written: the drifting index is in the registry by digest only.
    await expect(skopeoInspectRaw(`${registry.host}/local/app:strict`)).rejects.toThrow();
  }, 300_000);

  it("explains bad arguments instead of failing obscurely", async () => {
    const a = await flibs("build", ".", "--platforms", "arm64", "--push", `${registry.host}/local/app:x`);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('unknown arch "arm64"');
    const b = await flibs("build", ".", "--push", `${registry.host}/local/app`);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("--push must be HOST/REPO:TAG");
    const c = await flibs("build", ".", "--platforms", "x86_64", "--push", `${registry.host}/local/app:x`);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/not from an approved registry/);
    const d = await flibs("publish", ".", "--platforms", "s390x", "--push", `${registry.host}/local/app:x`);
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/no s390x image for [0-9a-f]{7}/);
  }, 60_000);
});

describe("a repo that is not a Git checkout", () => {
  it("is refused with a message saying flibs builds commits", async () => {
    const dir = await mkdtemp(join(tmpdir(), "flibs-nogit-"));
    try {
      execFileSync("cp", [join(repo.dir, "Dockerfile"), join(repo.dir, "container.yaml"), dir]);
      let stderr = "";
      const code = await main(
        ["build", dir, "--platforms", "x86_64", "--push", `${registry.host}/local/app:x`, "--allow-base", registry.host],
        {
          stdout: () => undefined,
          stderr: (s) => (stderr += s),
          cwd: dir,
          env: process.env,
        },
      );
      expect(code).toBe(2);
      expect(stderr).toMatch(/not a Git checkout.*flibs builds commits/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
