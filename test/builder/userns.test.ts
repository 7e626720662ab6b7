/**
 * An image whose Dockerfile ends in `USER 1001` (as most Fedora images do) is tested as that user, built the
 * way the Action builds as root: its own job storage (`createJobDir`, under a private RUNNER_TEMP), buildah's
 * TMPDIR in /var/tmp, `--isolation oci` and container root mapped to an unprivileged host id (`rootUserns`).
 * Real buildah, runc and a loopback registry.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BuildahBuilder, buildArch, createJobDir, ROOT_USERNS, rootUserns, type JobDir } from "../../src/builder/index.js";
import { parseContainerConfig, type ContainerConfig } from "../../src/core/config/index.js";
import { RegistryClient } from "../../src/registry/index.js";
import { startRegistry, type TestRegistry } from "../helpers/registry.js";
import { makeRepo, type ContainerRepo } from "../helpers/runner-host.js";
import { newStorage, pushBusyboxBase, requireBuildTools } from "./helpers.js";

const exec = promisify(execFile);
const cleanups: Array<() => Promise<void>> = [];
let registry: TestRegistry;
let repo: ContainerRepo;
let config: ContainerConfig;
const client = new RegistryClient();

beforeAll(async () => {
  await requireBuildTools();
  await exec("runc", ["--version"]).catch(() => {
    throw new Error("runc is not installed: run `sudo bash scripts/setup-system.sh`");
  });
  if (process.getuid?.() !== 0) throw new Error("the Action maps container root only when it runs as root: run this test as root");
  registry = await startRegistry();
  cleanups.push(() => registry.stop());
  const storage = await newStorage();
  cleanups.push(() => storage.remove());
  await pushBusyboxBase(storage, `${registry.host}/base/busybox:1`, ["x86_64"]);
  repo = await makeRepo("user-repo", { BASE: `${registry.host}/base/busybox:1` });
  cleanups.push(() => repo.remove());
  const parsed = parseContainerConfig(await readFile(join(repo.dir, "container.yaml"), "utf8"));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.findings));
  config = parsed.value;
}, 300_000);

afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

/** A job as the Action runs it as root (action/src/modes.ts): RUNNER_TEMP is private to the runner's user. */
async function actionJob(): Promise<{ job: JobDir; builder: BuildahBuilder }> {
  const runnerTemp = await mkdtemp(join(tmpdir(), "flibs-runner-temp-"));
  cleanups.push(() => rm(runnerTemp, { recursive: true, force: true }));
  const job = await createJobDir(join(runnerTemp, "_temp"));
  cleanups.push(() => job.remove());
  const userns = rootUserns("oci");
  expect(userns).toEqual(ROOT_USERNS);
  const builder = new BuildahBuilder({ root: job.root, runroot: job.runroot, tmpdir: job.buildahTmp, isolation: "oci", userns });
  cleanups.push(() => builder.cleanup());
  return { job, builder };
}

describe("an image with USER 1001, built and tested as the Action does as root", () => {
  it("passes its tests: the user reads what RUN wrote, and is uid 1001, not root", async () => {
    const { builder } = await actionJob();
    // A test whose program the image lacks never starts: runc says why, and no exit status is claimed for it.
    const missing = { name: "a program the image lacks", command: ["/usr/bin/no-such-program"] };
    const log: string[] = [];
    const started = Date.now();
    const r = await buildArch({
      contextDir: repo.dir,
      config: { ...config, tests: [...config.tests, missing] },
      arch: "x86_64",
      plannedArches: ["x86_64"],
      repository: { registry: registry.host, repository: "candidates/demo/user" },
      source: "https://github.example.com/my-org/user",
      approvedRegistries: [registry.host],
      builder,
      client,
      insecure: () => true,
      log: (l) => log.push(l),
    });
    console.log(`built and tested as the Action does in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(r.tests.slice(0, 2).map((t) => ({ name: t.name, passed: t.passed, output: t.output }))).toEqual([
      { name: "reads what RUN wrote", passed: true, output: "x86_64\n" },
      { name: "runs as the image's user", passed: true, output: "1001\n" },
    ]);
    const lacking = r.tests[2]!;
    expect(lacking).toMatchObject({ name: missing.name, passed: false });
    expect(lacking.exitCode).toBeUndefined();
    // runc's own words (runtime-spec: create fails when the process cannot be executed).
    expect(lacking.output).toMatch(
      /exec: \\?"\/usr\/bin\/no-such-program\\?": stat \/usr\/bin\/no-such-program: no such file or directory/,
    );
    // The job log says it too, under the test's line.
    const at = log.indexOf(`test ${missing.name}: FAILED; its output:`);
    expect(at).toBeGreaterThan(-1);
    expect(log.slice(at + 1).some((l) => l.startsWith("  ") && l.includes("no-such-program: no such file or directory"))).toBe(true);
    // What RUN wrote as container root is root's in the pushed image, not the host id it had on the runner.
    expect(await ownersIn(r.digest, "etc/flibs-arch")).toBe("0/0");
  }, 300_000);
});

/** `uid/gid` of `path` in the pushed image's layers (the last layer holding it), as `tar --numeric-owner` lists it. */
async function ownersIn(digest: string, path: string): Promise<string | undefined> {
  const ref = { registry: registry.host, repository: "candidates/demo/user" };
  const m = await client.getManifest({ ...ref, digest });
  if (m.manifest.kind !== "manifest") throw new Error("not an image");
  const dir = await mkdtemp(join(tmpdir(), "flibs-layers-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  let owners: string | undefined;
  for (const [i, l] of m.manifest.layers.entries()) {
    const file = join(dir, `layer-${i}.tar`);
    await writeFile(file, gunzipSync(await client.getBlob(ref, l.digest)));
    const { stdout } = await exec("tar", ["--numeric-owner", "-tvf", file]);
    for (const line of stdout.split("\n")) {
      const f = line.trim().split(/\s+/);
      if (f[f.length - 1] === path) owners = f[1];
    }
  }
  return owners;
}
