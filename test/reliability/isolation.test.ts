/**
 * Build isolation: an approved fork build is still hostile code, and nothing it does may reach the runner, a
 * later job on it, or the registry credentials; a cancelled job stops building and pushing at once.
 *
 * Real buildah, runc and a loopback registry; the bundled Action run as a runner runs it
 * (test/helpers/runner-host.ts), on stand-in runner machines that share a /tmp and a containers storage
 * between jobs, as a real one does. The fork's Dockerfile runs a static program
 * (test/fixtures/build/escape/escape.c) that leaves a chroot the classic way, then copies every auth file it
 * finds, replaces `bin/sh` in every cached image layer, and leaves a daemon behind. A trusted build of a clean
 * repo on the same runner afterwards must push the digest a clean runner pushes.
 *
 * Cancellation follows the runner's documented sequence (docs.github.com, "Canceling a workflow"): SIGINT to
 * the step's node process, then SIGTERM; both are tried during a slow RUN step.
 */
import { spawn } from "node:child_process";
import { lstat, readdir, readFile, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newStorage, pushBusyboxBase, requireBuildTools, type Storage } from "../builder/helpers.js";
import { withCmdline } from "../builder/process-helpers.js";
import { skopeoInspectRaw, skopeoListTags, startRegistry, type TestRegistry } from "../helpers/registry.js";
import {
  compileStatic,
  FIXTURES,
  makeRepo,
  newRunnerHost,
  startAction,
  type ContainerRepo,
  type RunnerHost,
  type StepRun,
} from "../helpers/runner-host.js";
import { record } from "./ledger.js";

const AREA = "build isolation";
const token = randomBytes(6).toString("hex");
const password = `s3cret-${randomBytes(12).toString("hex")}`;
let registry: TestRegistry;
let storage: Storage;
let base: string;
let clean: ContainerRepo;
let escapeBinary: string;
const hosts: RunnerHost[] = [];
const repos: ContainerRepo[] = [];

beforeAll(async () => {
  await requireBuildTools();
  registry = await startRegistry();
  storage = await newStorage();
  base = `${registry.host}/base/busybox:1`;
  await pushBusyboxBase(storage, base, ["x86_64"]);
  clean = await makeRepo(
    "repo",
    { BASE: base },
    { "status-x86_64": join(FIXTURES, "dpkg/status-x86_64"), "status-aarch64": join(FIXTURES, "dpkg/status-aarch64") },
  );
  repos.push(clean);
  const bin = await newRunnerHost("compile");
  hosts.push(bin);
  escapeBinary = join(bin.root, "escape");
  await compileStatic(join(FIXTURES, "escape/escape.c"), escapeBinary);
  tmpsBefore = await buildahTmps();
}, 300_000);

afterAll(async () => {
  // Whatever a lost case left running (the escape's daemon, a build that outlived its job) ends with the test.
  for (const pid of [...withCmdline(token)]) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
  for (const h of hosts) await h.remove();
  for (const r of repos) await r.remove();
  await storage?.remove();
  await registry?.stop();
});

/** A test's cases for the ledger: each held or lost, with what was seen when lost. */
function cases() {
  const lost: string[] = [];
  const check = (what: string, held: boolean, seen: string): void => {
    record({ area: AREA, what, tried: 1, held: held ? 1 : 0, lost: held ? 0 : 1 });
    if (!held) lost.push(`${what}: ${seen}`);
  };
  return { lost, check };
}

const buildInputs = (repo: ContainerRepo, image: string, extra: Record<string, string> = {}) => ({
  mode: "build",
  arch: "x86_64",
  arches: '["x86_64"]',
  sha: repo.sha,
  context: repo.dir,
  registry: `${registry.host}/candidates`,
  image,
  "approved-registries": registry.host,
  builder: "buildah",
  ...extra,
});

async function build(host: RunnerHost, repo: ContainerRepo, image: string, extra: Record<string, string> = {}): Promise<StepRun> {
  return startAction(host, buildInputs(repo, image, extra), `github_${token}`, repo.sha).done;
}

/** Regular files under `dir` (symlinks not followed) whose bytes contain `needle`. */
async function filesHolding(dir: string, needle: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const name of await readdir(d).catch(() => [] as string[])) {
      const p = join(d, name);
      const st = await lstat(p).catch(() => undefined);
      if (!st) continue;
      if (st.isDirectory()) await walk(p);
      else if (st.isFile() && st.size < 4 << 20 && (await readFile(p)).includes(needle)) found.push(p);
    }
  };
  await walk(dir);
  return found;
}

/** What a job left in RUNNER_TEMP, and in /var/tmp (buildah's TMPDIR of a job is there) since `before`. */
const buildahTmps = async () => (await readdir("/var/tmp")).filter((n) => /^flibs-job-.*-buildah-/.test(n));
async function tempLeft(host: RunnerHost, before: readonly string[]): Promise<string[]> {
  return [...(await readdir(host.temp)), ...(await buildahTmps()).filter((n) => !before.includes(n)).map((n) => `/var/tmp/${n}`)];
}
let tmpsBefore: string[] = [];

describe("build isolation", () => {
  let cleanDigest = "";

  it("a fork's approved build reaches neither the credentials, nor the next trusted build, nor outlives its job", async () => {
    const { lost, check } = cases();
    const cleanHost = await newRunnerHost("clean");
    hosts.push(cleanHost);
    const reference = await build(cleanHost, clean, "clean/app");
    expect(reference.code, reference.stdout).toBe(0);
    cleanDigest = reference.outputs.digest!;
    expect(cleanDigest).toMatch(/^sha256:[0-9a-f]{64}$/);

    const shared = await newRunnerHost("shared");
    hosts.push(shared);
    await writeFile(join(shared.tmp, `host-file-${token}`), "the runner's own /tmp");
    const fork = await makeRepo("escape-repo", { BASE: base, RUNNER_ROOT: shared.root, TOKEN: token }, { escape: escapeBinary });
    repos.push(fork);
    const attack = await build(shared, fork, "fork/app", { username: "flibs-bot", password });
    // The hostile program ran (a build that never ran it would prove nothing).
    expect(attack.stdout, attack.stdout).toContain(`flibs-escape ${token}: started`);
    expect(attack.stdout).toContain(`flibs-escape ${token}: left a daemon`);

    // An auth file holds the credentials base64-encoded, as `user:password`.
    const leaked = [
      ...(await filesHolding(shared.root, password)),
      ...(await filesHolding(shared.root, Buffer.from(`flibs-bot:${password}`).toString("base64"))),
    ];
    check("a fork's RUN step reads the registry credentials", leaked.length === 0, `the password is in ${leaked.join(", ")}`);
    const daemons = withCmdline(token);
    check("a fork's RUN step leaves a process running after the job", daemons.length === 0, `pids ${daemons.join(", ")} still run`);
    const runLines = attack.stdout.split("\n").filter((l) => /^flibs-(env|tmp): /.test(l));
    const hostLines = runLines.filter(
      (l) => l.includes(password) || /flibs-env: (INPUT_|GITHUB_|RUNNER_|ACTIONS_)/.test(l) || l.includes(`host-file-${token}`),
    );
    check(
      "the job's environment or the runner's /tmp reach a RUN step",
      runLines.length > 0 && hostLines.length === 0,
      runLines.length ? hostLines.join(" / ") : "the RUN step printed nothing",
    );
    const afterAttack = await tempLeft(shared, tmpsBefore);

    const trusted = await build(shared, clean, "trusted/app");
    expect(trusted.code, trusted.stdout).toBe(0);
    const pushed = (await skopeoInspectRaw(`${registry.host}/candidates/trusted/app:sha-${clean.sha}-x86_64`)).digest;
    check(
      "a fork's RUN step changes the cached base of the next trusted build",
      trusted.outputs.digest === cleanDigest && pushed === cleanDigest,
      `a clean runner pushes ${cleanDigest}, the runner the fork built on pushed ${pushed}`,
    );
    const afterTrusted = await tempLeft(shared, tmpsBefore);
    check(
      "the job's storage and auth file outlive the job",
      afterAttack.length === 0 && afterTrusted.length === 0,
      `RUNNER_TEMP holds ${[...afterAttack, ...afterTrusted].join(", ")}`,
    );
    expect(lost).toEqual([]);
  }, 600_000);

  it("chroot isolation only when the policy opts in, and then the job says its runner must be ephemeral", async () => {
    const { lost, check } = cases();
    const host = await newRunnerHost("chroot");
    hosts.push(host);
    const r = await build(host, clean, "chroot/app", { isolation: "chroot" });
    expect(r.code, r.stdout).toBe(0);
    const said =
      r.outputs.isolation === "chroot" &&
      r.outputs["ephemeral-runner-required"] === "true" &&
      /runner must be ephemeral/.test(r.outputs["isolation-note"] ?? "") &&
      r.summary.includes(r.outputs["isolation-note"] ?? "-") &&
      r.stdout.includes("::warning::RUN steps ran with `--isolation chroot`");
    check("a chroot build does not say its runner must be ephemeral", said, JSON.stringify(r.outputs));
    check("the isolation changes the built image", r.outputs.digest === cleanDigest, `chroot ${r.outputs.digest}, oci ${cleanDigest}`);
    const oci = await build(host, clean, "oci/app");
    check(
      "an oci build says what a chroot build says",
      oci.outputs.isolation === "oci" && oci.outputs["ephemeral-runner-required"] === "false" && !oci.stdout.includes("must be ephemeral"),
      JSON.stringify(oci.outputs),
    );
    const bad = await build(host, clean, "bad/app", { isolation: "none" });
    check(
      "an unknown isolation builds anyway",
      bad.code === 1 && bad.stdout.includes('::error::isolation must be oci or chroot, got "none"'),
      bad.stdout.slice(-300),
    );
    expect(lost).toEqual([]);
  }, 600_000);

  /** Starts the Action's build mode, or `flibs build`, on `host` for `repo`, pushing under `image`. */
  const starters = {
    Action: (host: RunnerHost, repo: ContainerRepo, image: string) =>
      startAction(host, buildInputs(repo, image), `github_${token}`, repo.sha),
    "flibs build": (host: RunnerHost, repo: ContainerRepo, image: string) => {
      const args = [
        "build",
        repo.dir,
        "--platforms",
        "x86_64",
        "--push",
        `${registry.host}/candidates/${image}:dev`,
        "--allow-base",
        registry.host,
        "--no-test",
      ];
      const storageArgs = ["--root", join(host.temp, "root"), "--runroot", join(host.temp, "run"), "--storage-driver", "vfs"];
      const child = spawn(process.execPath, [join(import.meta.dirname, "../../bin/flibs.js"), ...args, ...storageArgs], {
        cwd: repo.dir,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr.on("data", (d: Buffer) => (out += d.toString()));
      const done = new Promise<{ code: number; stdout: string }>((r) => child.on("close", (c) => r({ code: c ?? -1, stdout: out })));
      return { child, output: () => out, done };
    },
  };

  it.each([
    ["Action", "SIGINT"],
    ["Action", "SIGTERM"],
    ["flibs build", "SIGTERM"],
  ] as const)(
    "%s, sent %s during a RUN step, stops every tool it started at once, and nothing is pushed",
    async (what, signal) => {
      const { lost, check } = cases();
      const host = await newRunnerHost("cancel");
      hosts.push(host);
      const seconds = 6;
      const mark = `${token}-${what === "Action" ? "action" : "cli"}-${signal.toLowerCase()}`;
      const slow = await makeRepo("slow-repo", { BASE: base, TOKEN: mark, SECONDS: String(seconds) });
      repos.push(slow);
      const image = `slow-${mark}/app`;
      // flibs build shows a build's output with --verbose only: wait for its RUN step's process instead.
      const step = starters[what](host, slow, image);
      const running = () =>
        step.output().includes(`flibs-slow ${mark} started`) || withCmdline(`echo "flibs-slow ${mark} started"`).length > 0;
      const deadline = Date.now() + 120_000;
      while (!running() && step.child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(running(), step.output()).toBe(true);
      const sent = Date.now();
      step.child.kill(signal);
      const r = await step.done;
      const stoppedIn = Date.now() - sent;
      const survivors = withCmdline(mark);
      // Had the build gone on, it would have pushed by now.
      await new Promise((res) => setTimeout(res, (seconds + 4) * 1000 - stoppedIn));
      const tags = await skopeoListTags(`${registry.host}/candidates/${image}`).catch(() => [] as string[]);
      const left = what === "Action" ? await tempLeft(host, tmpsBefore) : [];
      check(
        `${what}: ${signal} during a RUN step, and a tool survives or the image is pushed`,
        survivors.length === 0 && tags.length === 0 && left.length === 0 && stoppedIn < 7500,
        `survivors ${survivors.join(", ") || "none"}, tags ${tags.join(", ") || "none"}, left ${left.join(", ") || "nothing"}, stopped in ${stoppedIn} ms`,
      );
      expect(lost).toEqual([]);
      expect(r.code).toBe(128 + (signal === "SIGINT" ? 2 : 15));
      if (what === "Action") {
        // Said where the runner reads workflow commands: not inside the build output's stop-commands block.
        const at = r.stdout.indexOf(`::error::cancelled (${signal})`);
        expect(at, r.stdout.slice(-2000)).toBeGreaterThan(-1);
        const before = r.stdout.slice(0, at);
        const stop = [...before.matchAll(/::stop-commands::([0-9a-f]+)/g)].pop();
        if (stop) expect(before.slice(stop.index)).toContain(`::${stop[1]}::`);
      }
    },
    300_000,
  );
});
