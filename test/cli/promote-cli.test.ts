import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { pushTestImage, skopeoInspectRaw, startRegistry, type PushedImage, type TestRegistry } from "../helpers/registry.js";

async function run(argv: string[], env: NodeJS.ProcessEnv) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), cwd: process.cwd(), env });
  return { code, stdout, stderr };
}

describe("flibs inspect and flibs promote", () => {
  let a: TestRegistry;
  let b: TestRegistry;
  let img: PushedImage;
  let other: PushedImage;
  let home: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    [a, b] = await Promise.all([startRegistry(), startRegistry({ auth: { username: "ci", password: "ci-pw" } })]);
    img = await pushTestImage(a, "cand/app:pr-7", { layersPerPlatform: 2, layerSize: 10_000 });
    other = await pushTestImage(a, "cand/app:pr-8");
    home = await mkdtemp(join(tmpdir(), "flibs-cli-home-"));
    const authFile = join(home, "auth.json");
    await writeFile(authFile, JSON.stringify({ auths: { [b.host]: { auth: Buffer.from("ci:ci-pw").toString("base64") } } }));
    env = { HOME: home, REGISTRY_AUTH_FILE: authFile };
  });
  afterAll(async () => {
    await Promise.all([img?.cleanup(), other?.cleanup()]);
    await Promise.all([a?.stop(), b?.stop()]);
    if (home) await rm(home, { recursive: true, force: true });
  });

  it("inspect prints platforms, digests and sizes, or JSON", async () => {
    const text = await run(["inspect", `${a.host}/cand/app:pr-7`], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`digest:     ${img.indexDigest}`);
    for (const m of img.manifests)
      expect(text.stdout).toMatch(new RegExp(`linux/${m.platform.architecture}\\s+${m.digest}\\s+\\S+ \\S+\\s+2 layers`));
    const json = await run(["inspect", "--format", "json", `${a.host}/cand/app@${img.indexDigest}`], env);
    const parsed = JSON.parse(json.stdout);
    expect(parsed).toMatchObject({ digest: img.indexDigest, kind: "index" });
    expect(parsed.images.map((i: { platform: string; size: number }) => [i.platform, i.size])).toEqual(
      img.manifests.map((m) => [`linux/${m.platform.architecture}`, m.config.size + m.layers.reduce((n, l) => n + l.size, 0)]),
    );
    expect(parsed.totalSize).toBe(img.blobBytes);
  });

  it("inspect exits 1 for a missing image and 2 for a bad reference", async () => {
    const missing = await run(["inspect", `${a.host}/cand/app:nope`], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/manifest .*cand\/app:nope not found/);
    const bad = await run(["inspect", "Not A Ref"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid image reference/);
  });

  it("promote copies across registries with credentials from REGISTRY_AUTH_FILE and prints what moved", async () => {
    const r = await run(["promote", `${a.host}/cand/app:pr-7`, `${b.host}/stable/app`, "--git-tag", "v2.0.0", "--tag", "prod"], env);
    expect(r.code).toBe(0);
    // Not a terminal: one plain line per item copied, nothing else (no warning, no retry).
    const logged = r.stderr.trim().split("\n");
    expect(logged.filter((l) => /^blob sha256:[0-9a-f]{64} \S+ \S+ streamed$/.test(l))).toHaveLength(6);
    expect(
      logged.every((l) => /^(blob|manifest|referrer) sha256:[0-9a-f]{64} /.test(l)),
      r.stderr,
    ).toBe(true);
    // The final table names each blob and how it moved.
    expect(r.stdout.split("\n").filter((l) => /^blob +sha256:[0-9a-f]{64} +\S+ \S+ +streamed$/.test(l))).toHaveLength(6);
    expect(r.stdout).toContain(`promoted ${a.host}/cand/app:pr-7 -> ${b.host}/stable/app@${img.indexDigest}`);
    expect(r.stdout).toMatch(/blobs: 0 mounted, 6 streamed \(\S+ \S+\), 0 already there/);
    expect(r.stdout).toMatch(/tag 2\.0\.0 \(immutable\): created/);
    for (const t of ["2.0.0", "2.0", "2", "latest", "prod"]) {
      expect((await skopeoInspectRaw(`${b.host}/stable/app:${t}`, b.credentials)).digest, t).toBe(img.indexDigest);
    }
  });

  it("promote within a registry mounts, and exits 1 when a release tag would move", async () => {
    const ok = await run(["promote", `${a.host}/cand/app@${img.indexDigest}`, `${a.host}/stable/app`, "--git-tag", "v2.0.0"], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/blobs: 6 mounted, 0 streamed \(0 B\)/);
    const refused = await run(["promote", `${a.host}/cand/app:pr-8`, `${a.host}/stable/app`, "--git-tag", "v2.0.0"], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/tag 2\.0\.0 of .* release tag and already points at .*refusing to move it/);
    expect((await skopeoInspectRaw(`${a.host}/stable/app:2.0.0`)).digest).toBe(img.indexDigest);
  });

  it("promote exits 2 on usage errors and 1 without credentials", async () => {
    expect((await run(["promote", `${a.host}/cand/app:pr-7`], env)).code).toBe(2);
    const withTag = await run(["promote", `${a.host}/cand/app:pr-7`, `${a.host}/stable/app:1`], env);
    expect(withTag.code).toBe(2);
    expect(withTag.stderr).toMatch(/without a tag or digest/);
    const badGit = await run(["promote", `${a.host}/cand/app:pr-7`, `${a.host}/stable/app`, "--git-tag", "release-1"], env);
    expect(badGit.code).toBe(2);
    expect(badGit.stderr).toMatch(/not a release version/);
    const noCreds = await run(["promote", `${a.host}/cand/app:pr-7`, `${b.host}/other/app`, "--tag", "x"], { HOME: home });
    expect(noCreds.code).toBe(1);
    expect(noCreds.stderr).toMatch(/no credentials/);
  });
});
