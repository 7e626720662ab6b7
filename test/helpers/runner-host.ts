/**
 * A self-hosted runner machine as a job sees it, in one directory (`root`), and the bundled Action run on it
 * the way the runner runs a JavaScript action: `node action/dist/index.js` with `INPUT_*` variables,
 * `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY` files, `RUNNER_TEMP` (the same `_work/_temp` for every job of
 * the runner) and `RUNNER_TRACKING_ID`. What a real machine shares between jobs is inside `root` too:
 * its `/tmp` (`TMPDIR`) and its containers storage (`storage.conf`'s graphroot, what buildah uses without
 * `--root`, vfs as on the test machines), so a test can look at everything a job left behind.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);
const ROOT = join(import.meta.dirname, "../..");
export const FIXTURES = join(ROOT, "test/fixtures/build");

export interface RunnerHost {
  root: string;
  /** RUNNER_TEMP: `root/work/_temp`. */
  temp: string;
  /** The machine's shared /tmp (TMPDIR of every job). */
  tmp: string;
  /** The machine's containers storage, shared by every job that does not choose its own. */
  systemStorage: string;
  remove(): Promise<void>;
}

export async function newRunnerHost(name: string): Promise<RunnerHost> {
  const root = await mkdtemp(join(tmpdir(), `flibs-runner-${name}-`));
  const host = { root, temp: join(root, "work", "_temp"), tmp: join(root, "tmp"), systemStorage: join(root, "containers-storage") };
  for (const d of [host.temp, host.tmp, join(root, "home"), host.systemStorage]) await mkdir(d, { recursive: true });
  await writeFile(
    join(root, "storage.conf"),
    `[storage]\ndriver = "vfs"\ngraphroot = "${join(host.systemStorage, "root")}"\nrunroot = "${join(host.systemStorage, "run")}"\n`,
  );
  return { ...host, remove: () => rm(root, { recursive: true, force: true }) };
}

export interface StepRun {
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
}

/** Parses GITHUB_OUTPUT's `name<<delimiter` blocks as the runner does. */
export function parseOutputs(text: string): Record<string, string> {
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

export interface StartedStep {
  child: ChildProcess;
  /** Everything the step printed so far (stdout and stderr). */
  output(): string;
  done: Promise<StepRun>;
}

let steps = 0;

/** Starts the Action on `host` as job step; `trackingId` is the runner's RUNNER_TRACKING_ID for the job. */
export function startAction(host: RunnerHost, inputs: Record<string, string>, trackingId: string, sha: string): StartedStep {
  steps++;
  const outputFile = join(host.root, `output-${steps}`);
  const summaryFile = join(host.root, `summary-${steps}`);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: join(host.root, "home"),
    TMPDIR: host.tmp,
    RUNNER_TEMP: host.temp,
    RUNNER_TRACKING_ID: trackingId,
    CONTAINERS_STORAGE_CONF: join(host.root, "storage.conf"),
    GITHUB_ACTIONS: "true",
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_SERVER_URL: "https://github.example.com",
    GITHUB_API_URL: "https://github.example.com/api/v3",
    GITHUB_REPOSITORY: "my-org/app",
    GITHUB_RUN_ID: "4242",
    GITHUB_SHA: sha,
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  let stdout = "";
  const ready = Promise.all([writeFile(outputFile, ""), writeFile(summaryFile, "")]);
  const child = spawn(process.execPath, [join(ROOT, "action/dist/index.js")], {
    env,
    cwd: join(host.root, "work"),
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stdout += d.toString()));
  const done = (async () => {
    await ready;
    const [code, signal] = await new Promise<[number, NodeJS.Signals | null]>((resolve) =>
      child.on("close", (c, s) => resolve([c ?? -1, s])),
    );
    return {
      code,
      signal,
      stdout,
      outputs: parseOutputs(await readFile(outputFile, "utf8").catch(() => "")),
      summary: await readFile(summaryFile, "utf8").catch(() => ""),
    };
  })();
  return { child, output: () => stdout, done };
}

export interface ContainerRepo {
  dir: string;
  sha: string;
  remove(): Promise<void>;
}

/**
 * A container repo from `test/fixtures/build/<fixture>`: `Dockerfile.in` with each `@KEY@` replaced becomes
 * the Dockerfile, `files` are added (e.g. a compiled program), all committed at a fixed time.
 */
export async function makeRepo(
  fixture: string,
  replace: Record<string, string>,
  files: Record<string, string> = {},
  time = 1_700_000_000,
): Promise<ContainerRepo> {
  const dir = await mkdtemp(join(tmpdir(), `flibs-${fixture}-`));
  await cp(join(FIXTURES, fixture), dir, { recursive: true });
  let text = await readFile(join(dir, "Dockerfile.in"), "utf8");
  for (const [k, v] of Object.entries(replace)) text = text.replaceAll(`@${k}@`, v);
  await rm(join(dir, "Dockerfile.in"));
  await writeFile(join(dir, "Dockerfile"), text);
  for (const [name, from] of Object.entries(files)) await cp(from, join(dir, name));
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: "t",
    GIT_AUTHOR_EMAIL: "t@example.com",
    GIT_COMMITTER_NAME: "t",
    GIT_COMMITTER_EMAIL: "t@example.com",
    GIT_AUTHOR_DATE: `@${time} +0000`,
    GIT_COMMITTER_DATE: `@${time} +0000`,
  };
  await exec("git", ["-C", dir, "init", "-q", "-b", "main"], { env });
  await exec("git", ["-C", dir, "add", "."], { env });
  await exec("git", ["-C", dir, "commit", "-q", "-m", "image"], { env });
  const { stdout } = await exec("git", ["-C", dir, "rev-parse", "HEAD"]);
  return { dir, sha: stdout.trim(), remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Compiles a C program static (it runs in any image), or fails saying how to get the compiler. */
export async function compileStatic(source: string, out: string): Promise<void> {
  try {
    await exec("gcc", ["-static", "-O2", "-o", out, source]);
  } catch (e) {
    const err = e as { code?: string; stderr?: string };
    if (err.code === "ENOENT")
      throw new Error("gcc is not installed: run `sudo bash scripts/setup-system.sh` (gcc, libc6-dev)", { cause: e });
    throw new Error(`gcc -static failed (is libc6-dev installed? run \`sudo bash scripts/setup-system.sh\`): ${err.stderr ?? String(e)}`, {
      cause: e,
    });
  }
}
