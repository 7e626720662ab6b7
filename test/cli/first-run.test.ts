/**
 * The README's quick start, offline: `flibs build` with no registry writes a 2-arch image, its index and the
 * build record into an OCI layout; skopeo (the independent judge) reads it; `flibs build --push` of the same
 * commit gives the same index digest; `flibs promote oci:...` lands that digest, record and all, in a
 * registry. The quick start's own base (Fedora) needs the network, so the same shape is built from the
 * local busybox base (test/builder/helpers.ts).
 */
import { execFile, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { RegistryClient } from "../../src/registry/client.js";
import { skopeoInspectRaw, startRegistry, type TestRegistry } from "../helpers/registry.js";
import { makeContainerRepo, newStorage, pushBusyboxBase, requireBuildTools, type Storage } from "../builder/helpers.js";
import { ROOT } from "./run-flibs.js";
import { screen } from "./terminal.js";

const exec = promisify(execFile);
const RECORD = "application/vnd.flibs.build-record.v1+json";

let registry: TestRegistry;
let storage: Storage;
let repo: Awaited<ReturnType<typeof makeContainerRepo>>;
let work: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  await requireBuildTools();
  registry = await startRegistry();
  storage = await newStorage();
  await pushBusyboxBase(storage, `${registry.host}/base/busybox:1`);
  repo = await makeContainerRepo(`${registry.host}/base/busybox:1`);
  work = await mkdtemp(join(tmpdir(), "flibs-first-run-"));
  const conf = join(work, "storage.conf");
  await writeFile(conf, `[storage]\ndriver = "vfs"\ngraphroot = "${storage.options.root}"\nrunroot = "${storage.options.runroot}"\n`);
  // The CLI's buildah uses the default storage; point it at this test's private one. The in-process runs'
  // buildah gets the process's environment, the bin's the spawn's: both must name it. A base image already in
  // the default storage under another name would otherwise change the built digests (buildah records the
  // local name in org.opencontainers.image.base.name).
  process.env.CONTAINERS_STORAGE_CONF = conf;
  env = { ...process.env, HOME: work };
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
  const code = await main(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), cwd: repo.dir, env });
  return { code, stdout, stderr };
}

/** skopeo's view of one arch of an image in a layout (containers/image picks the platform from the index). */
async function skopeoArch(ref: string, arch: string): Promise<{ Architecture: string; Layers: string[] }> {
  const { stdout } = await exec("skopeo", ["inspect", "--override-os", "linux", "--override-arch", arch, ref]);
  return JSON.parse(stdout);
}

const ARCHES = ["--platforms", "x86_64,aarch64"];

describe("flibs build without a registry", () => {
  let indexDigest: string;
  const layoutDir = () => join(repo.dir, "flibs-out", "demo", "app");

  it("writes the index, each arch's image and the build record into ./flibs-out/<image>, which skopeo reads", async () => {
    const r = await flibs("build", ".", ...ARCHES, "--allow-base", registry.host);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    const result = lines.pop()!;
    expect(result).toMatch(/^oci:flibs-out\/demo\/app:latest@sha256:[0-9a-f]{64}$/);
    indexDigest = result.split("@")[1]!;
    expect(lines[0]).toMatch(/^arch +digest +size +time +tests$/);
    expect(lines.slice(1).map((l) => l.split(/ +/)[0])).toEqual(["x86_64", "aarch64", "index", "record"]);
    // Not a terminal: plain progress lines, one per step, not the board's escape codes.
    expect(r.stderr).not.toContain("\x1b[");
    expect(r.stderr).toMatch(/^aarch64 +STEP 3\/7: RUN mkdir/m);
    expect(r.stderr).toMatch(/^aarch64 +built sha256:[0-9a-f]{12} \(\S+ \S+, [\d.]+ s, tests 1\/1 passed\)$/m);

    const raw = await exec("skopeo", ["inspect", "--raw", `oci:${layoutDir()}:latest`]);
    const index = JSON.parse(raw.stdout);
    expect(rawDigest(raw.stdout)).toBe(indexDigest);
    expect(index.manifests.map((m: { platform: { architecture: string } }) => m.platform.architecture)).toEqual(["amd64", "arm64"]);
    for (const [i, arch] of ["amd64", "arm64"].entries()) {
      const one = await skopeoArch(`oci:${layoutDir()}:latest`, arch);
      const manifest = JSON.parse(await readFile(join(layoutDir(), "blobs", "sha256", index.manifests[i].digest.slice(7)), "utf8"));
      expect(one.Architecture).toBe(arch);
      expect(one.Layers).toEqual(manifest.layers.map((l: { digest: string }) => l.digest));
      expect(lines[1 + i]).toContain(index.manifests[i].digest);
    }

    // index.json: the index under its tag, the record as an untagged referrer; the per-arch tags are gone.
    const listed = JSON.parse(await readFile(join(layoutDir(), "index.json"), "utf8")).manifests;
    expect(
      listed.map((m: { digest: string; artifactType?: string; annotations?: Record<string, string> }) => [
        m.annotations?.["org.opencontainers.image.ref.name"],
        m.artifactType,
      ]),
    ).toEqual([
      ["latest", undefined],
      [undefined, RECORD],
    ]);
    const artifact = JSON.parse(await readFile(join(layoutDir(), "blobs", "sha256", listed[1].digest.slice(7)), "utf8"));
    expect(artifact.subject.digest).toBe(indexDigest);
    const record = JSON.parse(await readFile(join(layoutDir(), "blobs", "sha256", artifact.layers[0].digest.slice(7)), "utf8"));
    expect(record).toMatchObject({ image: "oci:flibs-out/demo/app", indexDigest, commit: repo.sha });
    expect(Object.values(record.arches).map((a) => (a as { digest: string }).digest)).toEqual(
      index.manifests.map((m: { digest: string }) => m.digest),
    );

    const shown = await flibs("inspect", "oci:flibs-out/demo/app");
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`oci:flibs-out/demo/app:latest\n  digest:     ${indexDigest}`);
    expect(shown.stdout).toMatch(/linux\/arm64 +sha256:[0-9a-f]{64} +\S+ \S+ +\d+ layers/);
    expect(shown.stdout).toContain(`referrers:\n    ${listed[1].digest}  ${RECORD}`);
  }, 600_000);

  it("gives the index digest `flibs build --push` of the same commit gives", async () => {
    const r = await flibs("build", ".", ...ARCHES, "--push", `${registry.host}/local/app:dev`, "--allow-base", registry.host, "--quiet");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${registry.host}/local/app:dev@${indexDigest}\n`);
    expect((await skopeoInspectRaw(`${registry.host}/local/app:dev`)).digest).toBe(indexDigest);
  }, 600_000);

  it("gives that digest too when buildah commits straight into the layout (no image tests to run)", async () => {
    // Without tests there is no local image: `buildah bud -t oci:...` writes the layout itself, and must
    // compress the layers as a registry push does.
    const r = await flibs(
      "build",
      ".",
      ...ARCHES,
      "--no-test",
      "--output",
      `oci:${join(work, "no-test")}`,
      "--allow-base",
      registry.host,
      "--quiet",
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`oci:${join(work, "no-test")}:latest@${indexDigest}\n`);
  }, 600_000);

  it("promotes the layout to a registry: the same index digest, its images and the build record", async () => {
    const r = await flibs("promote", "oci:flibs-out/demo/app", `${registry.host}/promoted/app`, "--tag", "v1", "--json");
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      source: "oci:flibs-out/demo/app:latest",
      destination: `${registry.host}/promoted/app`,
      digest: indexDigest,
    });
    expect(report.manifests.copied).toBe(3);
    expect(report.referrers.copied).toBe(1);
    expect(report.blobs.streamed).toBeGreaterThan(2);
    expect((await skopeoInspectRaw(`${registry.host}/promoted/app:v1`)).digest).toBe(indexDigest);
    const referrers = await new RegistryClient().getReferrers({ registry: registry.host, repository: "promoted/app" }, indexDigest, RECORD);
    expect(referrers).toHaveLength(1);
    // Again: everything is there already, nothing moves.
    const again = await flibs("promote", "oci:flibs-out/demo/app:latest", `${registry.host}/promoted/app`, "--tag", "v1", "--quiet");
    expect(again.stdout).toBe(`${registry.host}/promoted/app@${indexDigest}\n`);
  }, 120_000);

  it("on a terminal redraws per-arch progress in place, and writes an oci-archive skopeo reads", async () => {
    const archive = join(work, "app.tar");
    // No image tests here (the runs above have them): buildah commits each arch straight into the staging layout.
    const cmd = [
      process.execPath,
      join(ROOT, "bin", "flibs.js"),
      "build",
      ".",
      ...ARCHES,
      "--no-test",
      "--allow-base",
      registry.host,
      "--output",
      `oci-archive:${archive}`,
    ];
    // script(1) runs the command on a pseudo-terminal (stderr.isTTY is true), as a user's shell would.
    const r = spawnSync("script", ["-qec", cmd.map((a) => `'${a}'`).join(" "), "/dev/null"], {
      cwd: repo.dir,
      env: { ...env, TERM: "xterm", COLUMNS: "100" },
      encoding: "utf8",
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("\x1b[");
    const shown = screen(r.stdout);
    // What stays on the screen: the board's final line per arch and for the index (each step was drawn over
    // the one before), then the table and the result line.
    const above = shown.slice(
      0,
      shown.findIndex((l) => l.startsWith("arch ")),
    );
    // A warning is printed above the board and stays.
    expect(above[0]).toBe("component drift: libc6 x86_64=2.36-9+deb12u13 aarch64=2.36-9+deb12u10");
    const board = above.slice(1);
    expect(board.map((l) => l.replace(/ sha256:.*/, ""))).toEqual(["x86_64   built", "aarch64  built", "index   "]);
    expect(board[2]).toBe(
      `index    ${indexDigest.slice(0, 19)}, build record ${shown
        .find((l) => l.startsWith("record "))!
        .split(/ +/)[1]!
        .slice(0, 19)}`,
    );
    expect(r.stdout.match(/STEP \d\/7/g)?.length ?? 0, "the steps were drawn").toBeGreaterThan(4);
    expect(shown.at(-1)).toBe(`oci-archive:${archive}:latest@${indexDigest}`);
    const { stdout } = await exec("skopeo", ["inspect", "--raw", `oci-archive:${archive}:latest`]);
    expect(rawDigest(stdout)).toBe(indexDigest);

    const p = await flibs("promote", `oci-archive:${archive}`, `${registry.host}/from-archive/app`, "--quiet");
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toBe(`${registry.host}/from-archive/app@${indexDigest}\n`);
  }, 600_000);

  it("refuses --push with --output, and an --output that is not a layout", async () => {
    const both = await flibs("build", ".", "--push", `${registry.host}/x/y:z`, "--output", "oci:out");
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("not both");
    const bad = await flibs("build", ".", "--output", "docker://x/y:z");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--output must be oci:PATH[:TAG] or oci-archive:FILE[:TAG]");
  });
});

/** skopeo inspect --raw prints the manifest's bytes exactly. */
function rawDigest(raw: string): string {
  return `sha256:${createHash("sha256").update(raw).digest("hex")}`;
}
