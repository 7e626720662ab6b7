/**
 * `workflow_run.completed` closes `flibs/build` from the index read back from a real registry (Debian's
 * docker-registry on loopback, images pushed with skopeo), never from what the workflow claims.
 */
import { afterAll, beforeAll, beforeEach, expect, test } from "vitest";
import { createTestApp, examplePayload, useFakeGitHub, type TestApp } from "../helpers/github.js";
import { pushTestImage, startRegistry, type TestRegistry } from "../helpers/registry.js";

const REPO = "my-org/hello";
const SHA_OK = "1".repeat(40);
const SHA_PARTIAL = "2".repeat(40);
const github = useFakeGitHub();
let registry: TestRegistry;
let app: TestApp;

beforeAll(async () => {
  registry = await startRegistry();
}, 60_000);
afterAll(async () => {
  await registry?.stop();
});

beforeEach(async () => {
  const policy = `arches: [x86_64, aarch64]\nregistries:\n  candidate: ${registry.host}/candidates\n  stable: ${registry.host}/stable\n`;
  github.repoFiles(REPO, { Dockerfile: "FROM registry.fedoraproject.org/fedora:41\n", "container.yaml": "image: my-org/hello\n" });
  github.repoFiles("my-org/.github", { ".github/flibs.yml": policy });
  github.acceptCheckRuns().listCheckRuns();
  github.on("POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches", { status: 204 });
  app = await createTestApp();
});

async function build(sha: string) {
  await app.receive(
    "pull_request",
    examplePayload("pull_request", "synchronize", { repo: REPO, headSha: sha, installationId: 42, edit: (p) => (p.repository.default_branch = "main") }),
  );
  for (const arch of ["x86_64", "aarch64"]) {
    await app.receive(
      "workflow_job",
      examplePayload("workflow_job", "completed", {
        repo: REPO,
        installationId: 42,
        headSha: sha,
        edit: (p) => {
          p.workflow_job.name = `build (${arch}) ${sha}.1`;
          p.workflow_job.conclusion = "success";
        },
      }),
    );
  }
}

const runCompleted = (sha: string) =>
  examplePayload("workflow_run", "completed", {
    repo: REPO,
    installationId: 42,
    edit: (p) => {
      p.workflow_run.display_title = `flibs build ${sha}.1`;
      p.workflow_run.conclusion = "success";
    },
  });

const summaryOf = (sha: string) => github.checkRuns.find((c) => c.head_sha === sha && c.name === "flibs/build")!;

test("every planned arch in the index: success, with each arch's digest and size and the index digest recorded", async () => {
  const pushed = await pushTestImage(registry, `candidates/my-org/hello:sha-${SHA_OK}`, { platforms: [{ os: "linux", architecture: "amd64" }, { os: "linux", architecture: "arm64" }] });
  try {
    await build(SHA_OK);
    await app.receive("workflow_run", runCompleted(SHA_OK));
    await app.receive("workflow_run", runCompleted(SHA_OK));

    const s = summaryOf(SHA_OK);
    expect(s).toMatchObject({ status: "completed", conclusion: "success", title: "Built 2 arches" });
    for (const m of pushed.manifests) expect(s.summary).toContain(m.digest);
    expect(s.summary).toContain(`<!-- flibs:index ${pushed.indexDigest} -->`);
    expect(s.summary).toMatch(/\| x86_64 \| success \| `sha256:[0-9a-f]{64}` \| [0-9.]+ (B|KiB|MiB) \|/);
    // The second delivery found the check closed and changed nothing.
    expect(github.calls("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}").filter((r) => (r.body as { output?: { title?: string } }).output?.title === "Built 2 arches")).toHaveLength(1);
  } finally {
    await pushed.cleanup();
  }
}, 60_000);

test("an arch missing from the index fails flibs/build naming it", async () => {
  const pushed = await pushTestImage(registry, `candidates/my-org/hello:sha-${SHA_PARTIAL}`, { platforms: [{ os: "linux", architecture: "amd64" }] });
  try {
    await build(SHA_PARTIAL);
    await app.receive("workflow_run", runCompleted(SHA_PARTIAL));
    const s = summaryOf(SHA_PARTIAL);
    expect(s).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(s.title).toContain("missing from the index: aarch64");
    expect(s.summary).not.toContain("flibs:index");
  } finally {
    await pushed.cleanup();
  }
}, 60_000);

test("no index at all (the publish job never ran): failure that says the index could not be read", async () => {
  const sha = "3".repeat(40);
  await build(sha);
  await app.receive("workflow_run", runCompleted(sha));
  const s = summaryOf(sha);
  expect(s).toMatchObject({ status: "completed", conclusion: "failure" });
  expect(s.summary).toContain("The index could not be read");
  expect(s.title).toContain("no index");
}, 60_000);
