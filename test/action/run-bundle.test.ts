/**
 * Runs the committed bundle the way a runner does: `node action/dist/index.js` with `INPUT_*` variables,
 * `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY` files, a GHES-style server URL and the test world's GitHub listening
 * on loopback as the API (the promote mode reads the flibs App's own flibs/promote (<ref>) check there). Real buildah
 * (private storage through CONTAINERS_STORAGE_CONF), qemu for aarch64, and a real registry.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatPromotionKey } from "../../src/core/promote/promotion-id.js";
import { formatIndexMarker } from "../../src/core/report/index-marker.js";
import { promoteCheckName } from "../../src/core/report/promote-check.js";
import { FakeGitHub } from "../helpers/github.js";
import { skopeoInspectRaw, startRegistry, type TestRegistry } from "../helpers/registry.js";
import { World } from "../helpers/world.js";
import { makeContainerRepo, newStorage, pushBusyboxBase, requireBuildTools, type Storage } from "../builder/helpers.js";

const ROOT = join(import.meta.dirname, "../..");
let registry: TestRegistry;
let storage: Storage;
let repo: Awaited<ReturnType<typeof makeContainerRepo>>;
let work: string;
let github: FakeGitHub;
let api: { url: string; close(): Promise<void> };
let world: World;
const APP_ID = 4242;

beforeAll(async () => {
  github = new FakeGitHub({ baseUrl: "https://github.example.com/api/v3", intercept: false });
  api = await github.listen();
  world = await World.create(github, { app: { id: APP_ID, slug: "flibs" }, runners: [] });
  await requireBuildTools();
  registry = await startRegistry();
  storage = await newStorage();
  await pushBusyboxBase(storage, `${registry.host}/base/busybox:1`);
  repo = await makeContainerRepo(`${registry.host}/base/busybox:1`);
  work = await mkdtemp(join(tmpdir(), "flibs-runner-"));
  await writeFile(
    join(work, "storage.conf"),
    `[storage]\ndriver = "vfs"\ngraphroot = "${storage.options.root}"\nrunroot = "${storage.options.runroot}"\n`,
  );
}, 300_000);

afterAll(async () => {
  await world?.cleanup();
  await api?.close();
  github?.stop();
  await repo?.remove();
  await storage?.remove();
  await registry?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

interface StepRun {
  code: number;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
}

/** Parses GITHUB_OUTPUT's `name<<delimiter` blocks as the runner does. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]!);
    out[m[1]!] = value.join("\n");
  }
  return out;
}

let step = 0;
async function runAction(inputs: Record<string, string>): Promise<StepRun> {
  step++;
  const outputFile = join(work, `output-${step}`);
  const summaryFile = join(work, `summary-${step}`);
  await writeFile(outputFile, "");
  await writeFile(summaryFile, "");
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: work,
    GITHUB_ACTIONS: "true",
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_SERVER_URL: "https://github.example.com",
    GITHUB_API_URL: api.url,
    GITHUB_REPOSITORY: "my-org/app",
    GITHUB_RUN_ID: "4242",
    GITHUB_SHA: repo.sha,
    CONTAINERS_STORAGE_CONF: join(work, "storage.conf"),
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const child = spawn(process.execPath, [join(ROOT, "action/dist/index.js")], { env, cwd: work, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stdout += d.toString()));
  const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? -1)));
  return { code, stdout, outputs: parseOutputs(await readFile(outputFile, "utf8")), summary: await readFile(summaryFile, "utf8") };
}

let attempt = 0;
/**
 * The flibs App started a promotion of `digest` for `ref`: its own flibs/promote (<ref>) check on the commit, in
 * progress, names the promotion and the digest (what the App writes, src/app/promotion.ts). Returns the inputs the promote
 * caller passes for it.
 */
function promotionAsked(ref: string, digest: string): Record<string, string> {
  const id = { sha: repo.sha, attempt: ++attempt };
  github.addCheckRun({
    repo: "my-org/app",
    head_sha: repo.sha,
    name: promoteCheckName(ref),
    app_id: APP_ID,
    status: "in_progress",
    conclusion: null,
    external_id: formatPromotionKey({ id, ref, deploymentId: 900 + attempt }),
    summary: `Promoting\n${formatIndexMarker(digest)}`,
  });
  return {
    digest,
    "git-ref": ref,
    "promotion-id": `${repo.sha}-${attempt}`,
    "app-id": String(APP_ID),
    "github-token": "ghs_promote_job_token",
  };
}

const common = () => ({
  sha: repo.sha,
  context: repo.dir,
  registry: `${registry.host}/candidates`,
  "approved-registries": registry.host,
  arches: '["x86_64","aarch64"]',
  builder: "buildah",
});

describe("the bundled Action, run as a runner runs it", () => {
  const digests: Record<string, string> = {};

  it.each([
    ["x86_64", "linux/amd64"],
    ["aarch64", "linux/arm64"],
  ])(
    "build mode for %s writes digest, platform and size outputs and a summary row",
    async (arch, platform) => {
      const r = await runAction({ ...common(), mode: "build", arch, "build-id": `${repo.sha}.1`, pr: "7" });
      expect(r.code, r.stdout).toBe(0);
      expect(r.outputs.platform).toBe(platform);
      expect(r.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(Number(r.outputs.size)).toBeGreaterThan(500_000);
      expect(r.outputs.image).toBe(`${registry.host}/candidates/demo/app:sha-${repo.sha}-${arch}@${r.outputs.digest}`);
      expect(r.summary).toContain("| arch | digest | size | time |");
      expect(r.summary).toMatch(new RegExp(`\\| ${arch} \\| \`${r.outputs.digest}\` \\| [0-9.]+ (KiB|MiB) \\| [0-9.]+ s \\|`));
      expect(r.summary).toMatch(/\| arch \| passed \|/);
      digests[arch] = r.outputs.digest!;
    },
    300_000,
  );

  it("publish mode writes the index digest and tags, with labels naming the GHES server", async () => {
    // In a workflow each arch's digest comes by value from its build job (before: read from the sha-<sha>-<arch> tags).
    const r = await runAction({ ...common(), mode: "publish", digests: JSON.stringify(digests), "build-id": `${repo.sha}.1`, pr: "7" });
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs.tags).toBe(`pr-7-${repo.sha.slice(0, 7)},sha-${repo.sha}`);
    const judged = await skopeoInspectRaw(`${registry.host}/candidates/demo/app:pr-7-${repo.sha.slice(0, 7)}`);
    expect(r.outputs["index-digest"]).toBe(judged.digest);
    expect(JSON.parse(judged.raw).manifests.map((m: { digest: string }) => m.digest)).toEqual([digests.x86_64, digests.aarch64]);
    expect(r.summary).toContain(`| x86_64 | \`${digests.x86_64}\``);
    expect(r.summary).toContain(`| aarch64 | \`${digests.aarch64}\``);
    expect(r.summary).toMatch(/Component drift.*policy: warn/);
    expect(r.stdout).toMatch(/::warning::component drift: libc6 x86_64=2\.36-9\+deb12u13 aarch64=2\.36-9\+deb12u10/);
    const cfg = JSON.parse(
      (await import("node:child_process"))
        .execFileSync("skopeo", [
          "inspect",
          "--config",
          "--raw",
          "--tls-verify=false",
          `docker://${registry.host}/candidates/demo/app@${digests.aarch64}`,
        ])
        .toString(),
    );
    expect(cfg.config.Labels["org.opencontainers.image.source"]).toBe("https://github.example.com/my-org/app");
  }, 120_000);

  it("a scratch build is published only as scratch-<sha>, which promotion never picks", async () => {
    const r = await runAction({ ...common(), mode: "publish", digests: JSON.stringify(digests), scratch: "true", pr: "7" });
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs.tags).toBe(`scratch-${repo.sha}`);
  }, 120_000);

  it("publish with component-drift: fail fails the step, after writing the summary", async () => {
    const r = await runAction({ ...common(), mode: "publish", digests: JSON.stringify(digests), "component-drift": "fail" });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/::error::1 package version\(s\) differ between arches/);
    expect(r.summary).toMatch(/policy: fail/);
  }, 120_000);

  it("promote mode copies the tested index to the stable repository under the release's tags", async () => {
    const published = await skopeoInspectRaw(`${registry.host}/candidates/demo/app:sha-${repo.sha}`);
    // In a workflow the job first checks the App asked for this promotion (before: no promotion-id, app-id, token).
    const r = await runAction({
      ...common(),
      mode: "promote",
      ...promotionAsked("refs/tags/v1.2.3", published.digest),
      "stable-registry": `${registry.host}/stable`,
    });
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs["index-digest"]).toBe(published.digest);
    expect(r.outputs.tags!.split(",").sort()).toEqual(["1", "1.2", "1.2.3", "latest"]);
    expect((await skopeoInspectRaw(`${registry.host}/stable/demo/app:1.2.3`)).digest).toBe(published.digest);
    expect(r.summary).toContain(`| aarch64 | \`${digests.aarch64}\``);
    // A release promoted unsigned is a warning that names why and the fix.
    expect(r.summary).toContain("**Release not signed**: cosign is not installed on this runner");
    expect(r.stdout).toContain(`verified: the flibs App asked for promotion ${repo.sha}-${attempt} of ${published.digest}`);
    // Read with the job's token, only the App's own checks of the commit.
    const read = github.calls("GET /repos/{owner}/{repo}/commits/{ref}/check-runs").at(-1)!;
    // Before: check_name "flibs/promote". Each ref has its own check now: the one of the ref being promoted is read.
    expect(read.query).toMatchObject({ check_name: "flibs/promote (v1.2.3)", app_id: String(APP_ID) });
    expect(read.headers.authorization).toBe("Bearer ghs_promote_job_token");
  }, 120_000);

  it("promote dispatched by hand, for a promotion the App did not start or with another digest, copies nothing", async () => {
    const published = await skopeoInspectRaw(`${registry.host}/candidates/demo/app:sha-${repo.sha}`);
    const asked = promotionAsked("refs/tags/v3.0.0", published.digest);
    const forged = await runAction({
      ...common(),
      mode: "promote",
      ...asked,
      "promotion-id": `${repo.sha}-99`,
      "stable-registry": `${registry.host}/stable-forged`,
    });
    expect(forged.code).toBe(1);
    expect(forged.stdout).toContain(`the flibs App started no promotion ${repo.sha}-99`);
    const other = `sha256:${"1".repeat(64)}`;
    const swapped = await runAction({
      ...common(),
      mode: "promote",
      ...asked,
      digest: other,
      "stable-registry": `${registry.host}/stable-forged`,
    });
    expect(swapped.code).toBe(1);
    expect(swapped.stdout).toContain(`the flibs App is promoting ${published.digest}, not ${other}`);
    const tagged = await fetch(`${registry.url}/v2/stable-forged/demo/app/tags/list`);
    expect(tagged.status).toBe(404);
  }, 120_000);

  it("promote with latest: false (the policy's promote.latest) tags the release but leaves latest alone", async () => {
    const published = await skopeoInspectRaw(`${registry.host}/candidates/demo/app:sha-${repo.sha}`);
    const r = await runAction({
      ...common(),
      mode: "promote",
      ...promotionAsked("refs/tags/v2.0.0", published.digest),
      latest: "false",
      "stable-registry": `${registry.host}/stable-no-latest`,
    });
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs.tags!.split(",").sort()).toEqual(["2", "2.0", "2.0.0"]);
    expect((await skopeoInspectRaw(`${registry.host}/stable-no-latest/demo/app:2.0.0`)).digest).toBe(published.digest);
    const bad = await runAction({
      ...common(),
      mode: "promote",
      ...promotionAsked("refs/tags/v2.0.0", published.digest),
      latest: "no",
      "stable-registry": `${registry.host}/stable-no-latest`,
    });
    expect(bad.stdout).toContain('::error::latest must be true or false, got "no"');
  }, 120_000);

  it("promote with a digest reads the source by that digest, never by the sha- tag", async () => {
    const published = await skopeoInspectRaw(`${registry.host}/candidates/demo/app:sha-${repo.sha}`);
    // Even a promotion the App started, of a digest the candidate registry does not hold, is read by that digest.
    const absent = `sha256:${"0".repeat(64)}`;
    const r = await runAction({
      ...common(),
      mode: "promote",
      ...promotionAsked("refs/heads/main", absent),
      "stable-registry": `${registry.host}/stable-by-digest`,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(absent);
    const ok = await runAction({
      ...common(),
      mode: "promote",
      ...promotionAsked("refs/heads/main", published.digest),
      "stable-registry": `${registry.host}/stable-by-digest`,
    });
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.outputs["index-digest"]).toBe(published.digest);
    const bad = await runAction({
      ...common(),
      mode: "promote",
      ...promotionAsked("refs/heads/main", published.digest),
      digest: "latest",
      "stable-registry": `${registry.host}/stable-by-digest`,
    });
    expect(bad.stdout).toContain("::error::digest must be sha256:<64 hex digits>");
  }, 120_000);

  it("a bad input fails with a message naming it, not a stack", async () => {
    const r = await runAction({ ...common(), mode: "build", arch: "arm64" });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('::error::arch must be one of x86_64, aarch64, ppc64le, s390x, got "arm64"');
    expect(r.stdout).not.toMatch(/\n\s+at /);
    const r2 = await runAction({ ...common(), mode: "deploy" });
    expect(r2.stdout).toContain("::error::mode must be build, publish or promote");
  });

  it("every request the Action made of GitHub was valid", () => {
    expect(github.problems).toEqual([]);
  });
});
