/**
 * The job summary each mode of the bundled Action writes, whatever happens. Run as a runner
 * runs it (test/helpers/runner-host.ts: `node action/dist/index.js`, GITHUB_STEP_SUMMARY, RUNNER_TEMP), with
 * real buildah, a loopback registry and a busybox base. Each summary is read as GitHub renders it (a GFM
 * parser, test/helpers/markdown.ts): nothing shows its escaping, tables are well-formed, the failing step and
 * the next command are named, and the last lines of the step's output are in a code block a reader can copy.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newStorage, pushBusyboxBase, requireBuildTools, type Storage } from "../builder/helpers.js";
import { codeBlocks, codeSpans, readerProblems, renderedText, tables } from "../helpers/markdown.js";
import { startRegistry, type TestRegistry } from "../helpers/registry.js";
import {
  FIXTURES,
  makeRepo,
  newRunnerHost,
  startAction,
  type ContainerRepo,
  type RunnerHost,
  type StepRun,
} from "../helpers/runner-host.js";

const token = randomBytes(6).toString("hex");
let registry: TestRegistry;
/** A registry that wants a login the job does not have: a push to it answers 401. */
let locked: TestRegistry;
let storage: Storage;
let host: RunnerHost;
let base: string;
const repos: ContainerRepo[] = [];

beforeAll(async () => {
  await requireBuildTools();
  registry = await startRegistry();
  locked = await startRegistry({ auth: { username: "flibs", password: `pw-${token}` } });
  storage = await newStorage();
  base = `${registry.host}/base/busybox:1`;
  await pushBusyboxBase(storage, base, ["x86_64"]);
  host = await newRunnerHost("summary");
}, 300_000);

afterAll(async () => {
  for (const r of repos) await r.remove();
  await host?.remove();
  await storage?.remove();
  await registry?.stop();
  await locked?.stop();
});

async function repo(fixture: string, replace: Record<string, string> = {}): Promise<ContainerRepo> {
  const files: Record<string, string> =
    fixture === "repo" ? { "status-x86_64": `${FIXTURES}/dpkg/status-x86_64`, "status-aarch64": `${FIXTURES}/dpkg/status-aarch64` } : {};
  const r = await makeRepo(fixture, { BASE: base, ...replace }, files);
  repos.push(r);
  return r;
}

const buildInputs = (r: ContainerRepo, extra: Record<string, string> = {}) => ({
  mode: "build",
  arch: "x86_64",
  arches: '["x86_64"]',
  sha: r.sha,
  context: r.dir,
  registry: `${registry.host}/candidates`,
  "approved-registries": registry.host,
  builder: "buildah",
  ...extra,
});

const run = (inputs: Record<string, string>, sha: string): Promise<StepRun> => startAction(host, inputs, `github_${token}`, sha).done;

/** The workflow commands that become annotations, one per line the runner reads. */
const errors = (stdout: string) => stdout.split("\n").filter((l) => l.startsWith("::error"));

/** What a reader sees wrong in the summary (none allowed), the summary itself when there is something. */
function expectReadable(summary: string): void {
  expect(summary.trim(), "no job summary was written").not.toBe("");
  expect(readerProblems(summary), summary).toEqual([]);
}

/** The steps table: `step -> [result, time]`. */
function steps(summary: string): Map<string, [string, string]> {
  const t = tables(summary).find((rows) => rows[0]?.[0] === "step");
  expect(t, `no steps table in:\n${summary}`).toBeDefined();
  return new Map(t!.slice(1).map((row) => [row[0]!, [row[1]!, row[2]!]]));
}

const seconds = (cell: string) => Number(/^(\d+(?:\.\d+)?) s$/.exec(cell)?.[1] ?? NaN);

describe("the job summaries the Action writes", () => {
  it("a build that succeeds gives each step (resolve bases, build, push, tests) its own time, not the elapsed time on every row, and keeps the isolation note", async () => {
    const r = await repo("repo");
    const started = Date.now();
    const out = await run(buildInputs(r), r.sha);
    const wall = (Date.now() - started) / 1000;
    expect(out.code, out.stdout).toBe(0);
    expectReadable(out.summary);
    const s = steps(out.summary);
    expect([...s.keys()]).toEqual(["resolve bases", "build", "push", "tests"]);
    const times = [...s.values()].map(([, t]) => seconds(t));
    for (const t of times) expect(t).toBeGreaterThanOrEqual(0);
    // Each step's own duration: together no more than the job took (a cumulative figure would sum to far more).
    expect(times.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(wall + 0.5);
    expect(times[1]!).toBeGreaterThan(times[0]!);
    expect(codeSpans(out.summary)).toContain(out.outputs.digest);
    expect(out.summary).toContain(out.outputs["isolation-note"]!);
  }, 300_000);

  it("a failed RUN step writes a summary naming the instruction and its Dockerfile line, the last 20 lines of its output as typed, and /retest; one annotation", async () => {
    const r = await repo("failing-run-repo");
    const out = await run(buildInputs(r), r.sha);
    expect(out.code).toBe(1);
    expectReadable(out.summary);
    const text = renderedText(out.summary);
    expect(text).toMatch(/Dockerfile line 3/);
    expect(codeSpans(out.summary).some((c) => c.startsWith('RUN for i in $(seq 1 30); do echo "compiling part $i"; done'))).toBe(true);
    const blocks = codeBlocks(out.summary);
    expect(blocks).toHaveLength(1);
    const lines = blocks[0]!.split("\n");
    expect(lines.length).toBeLessThanOrEqual(20);
    // The step's own output, its end kept: the first lines are cut, the error line is there exactly as printed
    // (backticks, colour codes and the carriage return stripped, the fence longer than the ``` run inside).
    expect(lines).toContain("compiling part 30");
    expect(lines).not.toContain("compiling part 1");
    expect(lines).toContain("error: `make` stopped: missing ```config.h```");
    expect(blocks[0]).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(codeSpans(out.summary)).toContain("/retest x86_64");
    expect(s(out.summary, "build")).toMatch(/failed/);
    expect(s(out.summary, "push")).toMatch(/not run/);
    expect(out.summary).toContain(out.outputs["isolation-note"] ?? "RUN steps ran in an OCI runtime");
    const annotations = errors(out.stdout);
    expect(annotations, out.stdout.slice(-3000)).toHaveLength(1);
    expect(annotations[0]).toMatch(/Dockerfile.*line.*3|line=3/);
  }, 300_000);

  it("a failed image test writes a summary naming the test and its command, its output, and keeps a `|` in a test name inside its cell; one annotation", async () => {
    const r = await repo("failing-test-repo");
    const out = await run(buildInputs(r), r.sha);
    expect(out.code).toBe(1);
    expectReadable(out.summary);
    const name = "config | says `Listen 80`";
    expect(renderedText(out.summary)).toContain(name);
    expect(codeSpans(out.summary)).toContain("echo checking /etc/demo.conf; grep -x 'Listen 80' /etc/demo.conf");
    const tests = tables(out.summary).find((t) => t[0]?.[0] === "test");
    expect(tests, out.summary).toBeDefined();
    expect(tests!.slice(1).map((row) => [row[0], row[1]])).toEqual([
      ["shell runs", "passed"],
      [name, "failed"],
    ]);
    expect(codeBlocks(out.summary).join("\n")).toContain("checking /etc/demo.conf");
    expect(codeSpans(out.summary)).toContain("/retest x86_64");
    const annotations = errors(out.stdout);
    expect(annotations, out.stdout.slice(-3000)).toHaveLength(1);
    expect(annotations[0]).toContain("config | says `Listen 80`");
  }, 300_000);

  it("a push the candidate registry refuses writes a summary that names the push and says whose problem it is", async () => {
    const r = await repo("failing-test-repo");
    const out = await run(buildInputs(r, { registry: `${locked.host}/candidates` }), r.sha);
    expect(out.code).toBe(1);
    expectReadable(out.summary);
    expect(s(out.summary, "build")).toMatch(/done/);
    expect(s(out.summary, "push")).toMatch(/failed/);
    expect(renderedText(out.summary)).toMatch(/not the pull request/i);
    expect(codeSpans(out.summary)).toContain("/retest x86_64");
    expect(errors(out.stdout)).toHaveLength(1);
  }, 300_000);

  it("a base the policy does not approve writes a summary with the refusal and what to change", async () => {
    const r = await repo("failing-run-repo");
    const out = await run(buildInputs(r, { "approved-registries": "registry.fedoraproject.org" }), r.sha);
    expect(out.code).toBe(1);
    expectReadable(out.summary);
    expect(s(out.summary, "resolve bases")).toMatch(/failed/);
    expect(renderedText(out.summary)).toMatch(/approved_base_registries/);
    expect(errors(out.stdout)).toHaveLength(1);
  }, 300_000);

  it("a build cancelled during a RUN step writes a summary saying so, the step it stopped in, and how to start again", async () => {
    const mark = `${token}-summary`;
    const r = await repo("slow-repo", { TOKEN: mark, SECONDS: "30" });
    const step = startAction(host, buildInputs(r), `github_${token}`, r.sha);
    const deadline = Date.now() + 120_000;
    while (!step.output().includes(`flibs-slow ${mark} started`) && step.child.exitCode === null && Date.now() < deadline)
      await new Promise((res) => setTimeout(res, 100));
    step.child.kill("SIGINT");
    const out = await step.done;
    expect(out.code).toBe(130);
    expectReadable(out.summary);
    expect(s(out.summary, "build and push")).toMatch(/cancelled/);
    expect(renderedText(out.summary)).toMatch(/cancelled/i);
    expect(codeSpans(out.summary)).toContain("/retest x86_64");
  }, 300_000);

  it("publish says packages agree across arches only when it read a package database for every arch", async () => {
    // An image with no package database: the busybox base and a RUN step.
    const ok = await makeRepo("slow-repo", { BASE: base, TOKEN: `${token}-nodb`, SECONDS: "0" });
    repos.push(ok);
    const built = await run({ ...buildInputs(ok), image: "nodb/app" }, ok.sha);
    expect(built.code, built.stdout).toBe(0);
    const out = await run(
      {
        mode: "publish",
        sha: ok.sha,
        context: ok.dir,
        registry: `${registry.host}/candidates`,
        image: "nodb/app",
        arches: '["x86_64"]',
        digests: JSON.stringify({ x86_64: built.outputs.digest }),
        pr: "7",
      },
      ok.sha,
    );
    expect(out.code, out.stdout).toBe(0);
    expectReadable(out.summary);
    expect(out.summary).not.toMatch(/agree/);
    expect(renderedText(out.summary)).toMatch(/no package database/);
    expect([...steps(out.summary).keys()]).toEqual(["read x86_64", "push index", "record"]);
  }, 300_000);

  it("promote refused before copying anything still writes a summary with the reason", async () => {
    const r = await repo("failing-run-repo");
    const out = await run(
      {
        mode: "promote",
        sha: r.sha,
        context: r.dir,
        registry: `${registry.host}/candidates`,
        "stable-registry": `${registry.host}/stable`,
        "git-ref": "refs/tags/v1.0.0",
      },
      r.sha,
    );
    expect(out.code).toBe(1);
    expectReadable(out.summary);
    expect(renderedText(out.summary)).toMatch(/promotion-id/);
    expect(errors(out.stdout)).toHaveLength(1);
  }, 120_000);
});

/** The result cell of one step. */
function s(summary: string, name: string): string {
  const row = steps(summary).get(name);
  expect(row, `no ${name} row in:\n${summary}`).toBeDefined();
  return row![0];
}
