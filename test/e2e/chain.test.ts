/**
 * The whole chain, as GitHub runs it. The real App (`probot run`, its own process) behind HTTP; GitHub faked at
 * the HTTP boundary and nowhere else (every REST request checked against GitHub's OpenAPI description, GraphQL
 * against its schema); GitHub Actions faked by executing the shipped workflow files with GitHub's own
 * @actions/workflow-parser and @actions/expressions (test/helpers/actions): the container repo's caller from
 * workflows-templates/, flibs' reusable build.yml and promote.yml, the committed Action bundle run as a runner
 * runs it; job names, runs and the workflow_run / workflow_job deliveries produced from those files, signed and
 * POSTed to the App. Real registries (candidate, stable) on loopback, real buildah and qemu (x86_64 + aarch64
 * from a busybox base in the organisation's own registry).
 *
 * Facts this relies on, checked on github.com: a reusable workflow's job is named `<caller job> / <called job>`
 * (`build / build (aarch64) <id>`); `POST .../dispatches` with `return_run_details: true` answers 200 with
 * `workflow_run_id` (since 2026-02-19); a matrix job's outputs of different names are combined for the jobs that
 * need it (docs: "Using job outputs in a matrix job").
 */
import { mkdtemp, readFile, rm, writeFile, chmod, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseIndexMarker } from "../../src/core/report/index-marker.js";
import { parsePlanMarker } from "../../src/core/report/plan-marker.js";
import { freePort, ROOT, spawnApp, waitForHttp, type AppProcess } from "../helpers/app-process.js";
import type { FakeActions, RunRecord } from "../helpers/actions/index.js";
import { examplePayload, FakeGitHub, signedDelivery, testPrivateKey } from "../helpers/github.js";
import { startRegistry, type TestRegistry } from "../helpers/registry.js";
import { newStorage, pushBusyboxBase, requireBuildTools, type Storage } from "../builder/helpers.js";
import { World } from "../helpers/world.js";

const REPO = "my-org/hello";
const APP = { id: 12345, slug: "flibs" };
const SECRET = "e2e-webhook-secret";
const INSTALLATION = 77;
const MEMBER = "maintainer-mona";
const MINUTES = 60_000;

let github: FakeGitHub;
let fakeApi: { url: string; close(): Promise<void> };
let actions: FakeActions;
let world: World;
let app: AppProcess;
let appUrl: string;
let candidate: TestRegistry;
let stable: TestRegistry;
let storage: Storage;
let work: string;
let base: string;
let policy: string;

const dockerfile = (label: string) =>
  [
    `FROM ${base}`,
    "RUN uname -m > /etc/flibs-arch",
    `LABEL com.redhat.component="hello" name="my-org/hello" version="1.0" summary="${label}" maintainer="Mona <mona@example.com>"`,
    "USER 1001",
    'CMD ["/bin/sh"]',
    "",
  ].join("\n");

const containerYaml = (test: string) => `image: hello\ntests:\n  - name: arch\n    command: ["/bin/sh", "-c", ${JSON.stringify(test)}]\n`;

async function deliver(event: string, payload: object): Promise<number> {
  const d = signedDelivery(event, payload, SECRET);
  const res = await fetch(`${appUrl}/api/github/webhooks`, { method: "POST", headers: d.headers, body: d.body });
  return res.status;
}

async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 8 * MINUTES,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}\nApp output (last 4000 chars):\n${app.output().slice(-4000)}\nFake GitHub problems: ${github.problems.join("\n")}`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Opens a pull request whose head commits these files on a branch, as GitHub delivers it to the App. */
async function openPull(number: number, files: Record<string, string>): Promise<string> {
  const head = await world.commit(files, { branch: `pr-${number}`, message: `PR ${number}` });
  world.pull({ number, head, headRef: `pr-${number}`, author: MEMBER, state: "open" });
  const payload = examplePayload("pull_request", "opened", {
    repo: REPO,
    headSha: head,
    installationId: INSTALLATION,
    sender: MEMBER,
    edit: (p) => {
      p.number = number;
      p.pull_request.number = number;
      p.pull_request.head.ref = `pr-${number}`;
      p.repository.default_branch = "main";
    },
  });
  expect(await deliver("pull_request", payload)).toBe(200);
  return head;
}

/** Merges a pull request as GitHub does for a merge commit on an unchanged base: same tree as the head. */
async function merge(number: number, files: Record<string, string>): Promise<string> {
  const sha = await world.commit(files, { message: `Merge pull request #${number}` });
  world.merge(number, sha);
  return sha;
}

async function push(ref: string, after: string): Promise<void> {
  const tree = await world.tree(after);
  const payload = examplePayload("push", undefined, {
    repo: REPO,
    headSha: after,
    installationId: INSTALLATION,
    sender: MEMBER,
    edit: (p) => {
      p.ref = ref;
      p.after = after;
      p.created = ref.startsWith("refs/tags/");
      p.deleted = false;
      p.repository.default_branch = "main";
      p.repository.master_branch = "main";
      if (p.head_commit) p.head_commit = { ...p.head_commit, id: after, tree_id: tree };
    },
  });
  expect(await deliver("push", payload)).toBe(200);
}

async function comment(number: number, body: string): Promise<void> {
  const payload = examplePayload("issue_comment", "created", {
    repo: REPO,
    installationId: INSTALLATION,
    sender: MEMBER,
    edit: (p) => {
      p.repository.default_branch = "main";
      p.issue.number = number;
      p.issue.pull_request = {
        url: `https://api.github.com/repos/${REPO}/pulls/${number}`,
        html_url: `https://github.com/${REPO}/pull/${number}`,
        diff_url: null,
        patch_url: null,
      };
      p.comment.id = 9000 + world.comments.length + number;
      p.comment.body = body;
      p.comment.performed_via_github_app = null;
    },
  });
  expect(await deliver("issue_comment", payload)).toBe(200);
}

/** flibs/build of a commit once completed (the newest, should there be several attempts). */
async function builtCheck(sha: string, attempt = 1) {
  return await until(`flibs/build of ${sha.slice(0, 7)} (attempt ${attempt}) to complete`, () =>
    world.checks(sha, "flibs/build").find((c) => c.external_id === `flibs:${sha}.${attempt}:summary` && c.status === "completed"),
  );
}

function buildRun(sha: string, attempt = 1): RunRecord {
  const run = actions.runsOf(REPO, "flibs.yml").find((r) => r.display_title === `flibs build ${sha}.${attempt}`);
  if (!run) throw new Error(`no run of flibs.yml for ${sha}.${attempt}: ${actions.runs.map((r) => r.display_title).join(", ")}`);
  return run;
}

async function manifest(registry: TestRegistry, repo: string, ref: string): Promise<{ digest: string; body: any }> {
  const res = await fetch(`${registry.url}/v2/${repo}/manifests/${ref}`, {
    headers: { accept: "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json" },
  });
  if (res.status !== 200) throw new Error(`${registry.host}/${repo}:${ref}: ${res.status}`);
  return { digest: res.headers.get("docker-content-digest")!, body: await res.json() };
}

beforeAll(async () => {
  await requireBuildTools();
  work = await mkdtemp(join(tmpdir(), "flibs-chain-"));
  [candidate, stable] = await Promise.all([startRegistry(), startRegistry()]);
  storage = await newStorage();
  // The organisation keeps its bases in its own registry: only the policy makes them acceptable.
  base = `${candidate.host}/base/busybox:1`;
  await pushBusyboxBase(storage, base);
  policy = [
    "arches: [x86_64, aarch64]",
    `approved_base_registries: ["${candidate.host}/base"]`,
    "registries:",
    `  candidate: ${candidate.host}/candidates`,
    `  stable: ${stable.host}/stable`,
    "runner_labels:",
    "  control: [self-hosted, linux, control]",
    "  promote: [self-hosted, linux, promote]",
    "",
  ].join("\n");

  github = new FakeGitHub({ baseUrl: "https://github.example/api/v3" });
  fakeApi = await github.listen();
  const port = await freePort();
  appUrl = `http://127.0.0.1:${port}`;
  // A runner glitch for the /retest story: the aarch64 runner's first buildah call fails once.
  const glitch = join(work, "glitch");
  await mkdir(glitch, { recursive: true });
  await writeFile(
    join(glitch, "buildah"),
    `#!/bin/sh\ncase " $* " in *" bud "*|*" build "*) if [ -e "${glitch}/armed" ]; then rm -f "${glitch}/armed"; echo "runner glitch: the disk went away" >&2; exit 1; fi;; esac\nexec /usr/bin/buildah "$@"\n`,
  );
  await chmod(join(glitch, "buildah"), 0o755);
  world = await World.create(github, {
    app: APP,
    policy,
    action: "bundle",
    runners: [
      { name: "x86-1", labels: ["self-hosted", "linux", "x86_64"], arch: "X64" },
      { name: "arm-1", labels: ["self-hosted", "linux", "aarch64"], arch: "ARM64", env: { PATH: `${glitch}:${process.env.PATH}` } },
      { name: "control-1", labels: ["self-hosted", "linux", "control"] },
      { name: "promote-1", labels: ["self-hosted", "linux", "promote"] },
    ],
    webhook: { url: `${appUrl}/api/github/webhooks`, secret: SECRET, appId: APP.id },
    installationId: INSTALLATION,
    vars: { [REPO]: { FLIBS_APP_ID: String(APP.id) } },
    environments: { stable: { reviewers: true } },
  });
  actions = world.actions;
  world.role(MEMBER, "maintain");
  await world.repo(REPO, {
    ".github/workflows/flibs.yml": await readFile(join(ROOT, "workflows-templates/flibs.yml"), "utf8"),
    ".github/workflows/flibs-promote.yml": await readFile(join(ROOT, "workflows-templates/flibs-promote.yml"), "utf8"),
    Dockerfile: dockerfile("hello"),
    "container.yaml": containerYaml("test -s /etc/flibs-arch"),
  });

  app = spawnApp("node", [join(ROOT, "node_modules/probot/bin/probot.js"), "run", "./dist/app/index.js"], {
    PORT: String(port),
    APP_ID: String(APP.id),
    PRIVATE_KEY: testPrivateKey(),
    WEBHOOK_SECRET: SECRET,
    GHE_HOST: new URL(fakeApi.url).host,
    GHE_PROTOCOL: "http",
    NODE_ENV: "production",
    LOG_LEVEL: "info",
    HOME: work,
  });
  await waitForHttp(`${appUrl}/api/github/webhooks`, app);
}, 10 * MINUTES);

afterAll(async () => {
  await app?.stop();
  await world?.cleanup();
  await fakeApi?.close();
  github?.stop();
  await Promise.all([candidate?.stop(), stable?.stop(), storage?.remove()]);
  if (work) await rm(work, { recursive: true, force: true });
});

describe("the whole chain, as GitHub runs it", () => {
  let head: string;
  let indexDigest: string;

  it(
    "a pull request is reviewed, built on both arches and published as one index of exactly the tested digests",
    async () => {
      head = await openPull(7, { Dockerfile: dockerfile("hello, world") });
      const build = await builtCheck(head);
      const run = buildRun(head);
      await until("the build run to complete", () => run.status === "completed");

      expect(world.checks(head, "flibs/review")[0]).toMatchObject({ status: "completed", conclusion: "success" });
      // Jobs named as GitHub names them; the per-arch checks appear anyway, one per arch.
      expect(run.jobs.map((j) => j.name).sort()).toEqual([
        `build / build (aarch64) ${head}.1`,
        `build / build (x86_64) ${head}.1`,
        `build / prepare ${head}.1`,
        `build / publish ${head}.1`,
      ]);
      const jobLog = (j: (typeof run.jobs)[number]) =>
        `${j.name}: ${j.conclusion}\n${j.steps.map((s) => `${s.name}: ${s.conclusion}\n${s.log.slice(-3000)}`).join("\n")}\n${j.annotations.map((a) => a.message).join("\n")}`;
      for (const arch of ["x86_64", "aarch64"])
        expect(world.checks(head, `flibs/build (${arch})`), run.jobs.map(jobLog).join("\n\n")).toMatchObject([
          { status: "completed", conclusion: "success" },
        ]);
      expect(build, build.summary ?? "").toMatchObject({
        conclusion: "success",
        details_url: expect.stringContaining(`/actions/runs/${run.id}`),
      });
      // The run the dispatch answered with is the one recorded, and the summary keeps the plan for promotion.
      expect(parsePlanMarker(build.summary)).toMatchObject({
        arches: ["x86_64", "aarch64"],
        building: ["x86_64", "aarch64"],
        pr: 7,
        run: run.id,
      });
      indexDigest = parseIndexMarker(build.summary)!;
      expect(indexDigest).toMatch(/^sha256:[0-9a-f]{64}$/);

      // Custody: the index holds the digests the arch jobs built and tested, and publish ran on the control runner.
      const index = await manifest(candidate, "candidates/hello", indexDigest);
      const tested = Object.fromEntries(
        run.jobs
          .filter((j) => j.name.includes("build ("))
          .map((j) => [j.name.includes("aarch64") ? "arm64" : "amd64", Object.values(j.outputs)[0]]),
      );
      expect(Object.fromEntries(index.body.manifests.map((m: any) => [m.platform.architecture, m.digest]))).toEqual(tested);
      expect(run.jobs.find((j) => j.name.startsWith("build / publish"))!.runner_name).toBe("control-1");
      expect((await manifest(candidate, "candidates/hello", `pr-7-${head.slice(0, 7)}`)).digest).toBe(indexDigest);
      // Every delivery GitHub sent was accepted, and every request the App and the jobs made was a valid one.
      expect(actions.deliveries.filter((d) => d.status !== 200)).toEqual([]);
      expect(github.problems).toEqual([]);
    },
    10 * MINUTES,
  );

  it(
    "a merge and a release promote exactly the tested digest to stable, through the promote environment",
    async () => {
      const merged = await merge(7, { Dockerfile: dockerfile("hello, world") });
      await actions.repos.tag(REPO, "v1.0.0", merged);
      await push("refs/heads/main", merged);
      const promoteRun = await until("the promote run to wait for the environment's reviewers", () =>
        actions.runsOf(REPO, "flibs-promote.yml").find((r) => r.status === "waiting" || r.jobs.some((j) => j.status === "waiting")),
      );
      expect(actions.approve(promoteRun.id, "stable")).toBe(1);
      await until("flibs/promote for main", () =>
        world.checks(merged, "flibs/promote (main)").find((c) => c.status === "completed" && c.external_id?.endsWith(":refs/heads/main")),
      );

      await push("refs/tags/v1.0.0", merged);
      const release = await until("the release's promote run", () =>
        actions.runsOf(REPO, "flibs-promote.yml").find((r) => r.id !== promoteRun.id && r.jobs.some((j) => j.status === "waiting")),
      );
      actions.approve(release.id, "stable");
      const done = await until("flibs/promote for v1.0.0", () =>
        world
          .checks(merged, "flibs/promote (v1.0.0)")
          .find((c) => c.status === "completed" && c.external_id?.endsWith(":refs/tags/v1.0.0")),
      );

      expect(done.conclusion, done.summary ?? "").toBe("success");
      // What the promote job reported writing (its own notice): the tags with their kinds, and that this runner,
      // without cosign, left the release unsigned: a warning in the title and the table, not a plain line.
      expect(done.title).toBe(`Promoted to ${stable.host}/stable/hello for v1.0.0 (unsigned)`);
      expect(done.summary).toContain("`1.0.0` (immutable), `1.0` (floating), `1` (floating), `latest` (floating)");
      expect(done.summary).toContain("⚠️ **not signed**");
      for (const tag of ["1.0.0", "1.0", "1", "latest"])
        expect((await manifest(stable, "stable/hello", tag)).digest, tag).toBe(indexDigest);
      expect((await manifest(stable, "stable/hello", indexDigest)).digest).toBe(indexDigest);
      const job = release.jobs[0]!;
      expect(job).toMatchObject({ conclusion: "success", runner_name: "promote-1", environment: { name: "stable" } });
      expect(job.steps.map((s) => s.log).join("")).toContain(`verified: the flibs App asked for promotion`);
      const deployment = world.deployments.find((d) => d.body.payload?.ref === "refs/tags/v1.0.0")!;
      expect(deployment.statuses.at(-1)).toMatchObject({ state: "success" });
      expect(github.problems).toEqual([]);
    },
    10 * MINUTES,
  );

  it(
    "a promote run dispatched by hand with another digest copies nothing",
    async () => {
      const merged = world.pullOf(7).merged!;
      const forged = `sha256:${"f".repeat(64)}`;
      const policyInput = JSON.stringify({
        candidate: `${candidate.host}/candidates`,
        stable: `${stable.host}/stable`,
        insecure_registries: [],
        latest: true,
        runner: ["self-hosted", "linux", "promote"],
      });
      const r = await actions.dispatch(
        REPO,
        "flibs-promote.yml",
        {
          ref: "main",
          inputs: { sha: merged, ref: "refs/tags/v9.9.9", digest: forged, promotion_id: `${merged}-9`, policy: policyInput },
          return_run_details: true,
        },
        MEMBER,
      );
      expect(r.status).toBe(200);
      const run = actions.run((r.body as { workflow_run_id: number }).workflow_run_id);
      await until("the hand-made promote run to wait for reviewers", () => run.jobs.some((j) => j.status === "waiting"));
      actions.approve(run.id, "stable");
      await until("the hand-made promote run to end", () => run.status === "completed");
      expect(run.conclusion).toBe("failure");
      expect(run.jobs[0]!.steps.map((s) => s.log).join("")).toContain("the flibs App started no promotion");
      await expect(manifest(stable, "stable/hello", "9.9.9")).rejects.toThrow(/404/);
    },
    10 * MINUTES,
  );

  it(
    "an arch whose image test fails fails flibs/build, and its merge is not promoted",
    async () => {
      const files = { Dockerfile: dockerfile("arch specific"), "container.yaml": containerYaml("test $(uname -m) = x86_64") };
      const broken = await openPull(8, files);
      const build = await builtCheck(broken);
      expect(build.conclusion, build.summary ?? "").toBe("failure");
      expect(world.checks(broken, "flibs/build (aarch64)")).toMatchObject([{ conclusion: "failure" }]);
      expect(world.checks(broken, "flibs/build (x86_64)")).toMatchObject([{ conclusion: "success" }]);
      expect(parseIndexMarker(build.summary)).toBeUndefined();

      const merged = await merge(8, files);
      const before = actions.runsOf(REPO, "flibs-promote.yml").length;
      await push("refs/heads/main", merged);
      const refused = await until("flibs/promote refusing the merge", () =>
        world.checks(merged, "flibs/promote (main)").find((c) => c.status === "completed"),
      );
      expect(refused.conclusion).toBe("failure");
      expect(refused.title).toContain("aarch64");
      expect(actions.runsOf(REPO, "flibs-promote.yml")).toHaveLength(before);
    },
    10 * MINUTES,
  );

  it(
    "/retest aarch64 after a runner glitch rebuilds aarch64 only and republishes the whole index, x86_64 kept by digest",
    async () => {
      await writeFile(join(work, "glitch", "armed"), "");
      const headSha = await openPull(9, { Dockerfile: dockerfile("glitch"), "container.yaml": containerYaml("test -s /etc/flibs-arch") });
      const first = await builtCheck(headSha);
      expect(first.conclusion).toBe("failure");
      const x86 = Object.values(buildRun(headSha).jobs.find((j) => j.name.includes("build (x86_64)"))!.outputs)[0];

      await comment(9, "/retest aarch64");
      const second = await builtCheck(headSha, 2);
      expect(second.conclusion, second.summary ?? "").toBe("success");
      const rerun = buildRun(headSha, 2);
      expect(rerun.jobs.filter((j) => j.name.includes("build (")).map((j) => j.name)).toEqual([`build / build (aarch64) ${headSha}.2`]);
      const index = await manifest(candidate, "candidates/hello", parseIndexMarker(second.summary)!);
      expect(index.body.manifests.map((m: any) => m.platform.architecture)).toEqual(["amd64", "arm64"]);
      expect(index.body.manifests[0].digest).toBe(x86);
      expect(github.problems).toEqual([]);
    },
    10 * MINUTES,
  );
});
