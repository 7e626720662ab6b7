/**
 * The shipped caller template and reusable build workflow, run through the fake Actions exactly as written,
 * up to the Action step (the Action's bundle replaced by a stand-in, its real action.yml kept): the job names
 * GitHub gives them, the inputs the Action receives, the outputs wired through.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/app-process.js";
import { useFakeGitHub } from "../helpers/github.js";
import { actionsFixture, commitFlibsRepo, FakeActions } from "../helpers/actions/index.js";

const github = useFakeGitHub();
let actions: FakeActions | undefined;
afterEach(async () => {
  await actions?.cleanup();
  actions = undefined;
});

/** The organisation policy as the App sends it to the caller workflows (`policy` input). */
const POLICY = JSON.stringify({
  candidate: "registry.example/cand",
  stable: "registry.example/stable",
  approved_registries: ["registry.example"],
  insecure_registries: [],
  component_drift: "warn",
  runner_labels: { aarch64: ["self-hosted", "linux", "aarch64", "big"] },
  control_runner: ["self-hosted", "linux"],
  runner: ["self-hosted", "linux"],
  latest: true,
});

async function shipped(env: Record<string, string> = {}): Promise<{ a: FakeActions; sha: string }> {
  const a = new FakeActions(github, {
    runners: [
      { name: "control-1", labels: ["self-hosted", "linux"], env },
      { name: "x86-1", labels: ["self-hosted", "linux", "x86_64"], arch: "X64", env },
      { name: "arm-1", labels: ["self-hosted", "linux", "aarch64"], arch: "ARM64", env },
      { name: "arm-big", labels: ["self-hosted", "linux", "aarch64", "big"], arch: "ARM64", env },
    ],
  });
  await commitFlibsRepo(a.repos, "my-org/flibs", ROOT, { dist: actionsFixture("stand-in-action/dist").from });
  const sha = await a.repos.create("my-org/app", {
    ".github/workflows/flibs.yml": readFileSync(join(ROOT, "workflows-templates/flibs.yml"), "utf8"),
    Dockerfile: "FROM registry.example/base:1\n",
  });
  return { a, sha };
}

describe("the shipped workflows", () => {
  it("name the jobs `build / build (<arch>) <build id>` and run the Action with the inputs its action.yml declares", async () => {
    const { a, sha } = await shipped();
    actions = a;
    const buildId = `${sha}.1`;
    const r = await a.dispatch("my-org/app", "flibs.yml", {
      ref: "main",
      inputs: { sha, arches: '["x86_64","aarch64"]', build_id: buildId, policy: POLICY },
    });
    expect(r.status).toBe(204);
    await a.idle();
    const run = a.runs[0]!;
    expect(run.display_title).toBe(`flibs build ${buildId}`);
    expect(run.jobs.map((j) => `${j.name}: ${j.conclusion}`).sort()).toEqual(
      [
        `build / prepare ${buildId}: success`,
        `build / build (x86_64) ${buildId}: success`,
        `build / build (aarch64) ${buildId}: success`,
        `build / publish ${buildId}: success`,
      ].sort(),
    );
    expect(run.conclusion).toBe("success");
    expect(github.problems).toEqual([]);
    const arm = run.jobs.find((j) => j.name === `build / build (aarch64) ${buildId}`)!;
    // The policy's runner labels for aarch64 win over the default [self-hosted, linux, <arch>].
    expect(arm).toMatchObject({
      labels: ["self-hosted", "linux", "aarch64", "big"],
      runner_name: "arm-big",
      permissions: { contents: "read", packages: "write", metadata: "read" },
    });
    const action = arm.steps.find((s) => s.name === "Build, push and test")!;
    expect(action.inputs).toMatchObject({
      INPUT_MODE: "build",
      INPUT_ARCH: "aarch64",
      INPUT_SHA: sha,
      "INPUT_BUILD-ID": buildId,
      INPUT_CONTEXT: "src",
      INPUT_REGISTRY: "registry.example/cand",
      "INPUT_APPROVED-REGISTRIES": "registry.example",
      INPUT_USERNAME: "octocat",
      INPUT_PASSWORD: arm.token,
    });
    expect(arm.annotations.filter((x) => x.annotation_level !== "notice")).toEqual([]);
    expect(arm.outputs).toEqual({ "digest-aarch64": expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    const x86 = run.jobs.find((j) => j.name === `build / build (x86_64) ${buildId}`)!;
    // The matrix legs' outputs of different names reach publish together.
    const publish = run.jobs.find((j) => j.name === `build / publish ${buildId}`)!;
    const inputs = publish.steps.find((s) => s.id === "publish")!.inputs!;
    expect(inputs).toMatchObject({ INPUT_MODE: "publish", INPUT_ARCHES: '["x86_64","aarch64"]', "INPUT_KEPT-DIGESTS": "{}" });
    expect(JSON.parse(inputs.INPUT_DIGESTS!)).toEqual({ ...x86.outputs, ...arm.outputs });
  });

  it("a failing arch fails its job and the run; publish is skipped", async () => {
    const { a, sha } = await shipped({ FAIL_ARCH: "aarch64" });
    actions = a;
    await a.dispatch("my-org/app", "flibs.yml", {
      ref: "main",
      inputs: { sha, arches: '["x86_64","aarch64"]', build_id: `${sha}.1`, policy: POLICY },
    });
    await a.idle();
    const run = a.runs[0]!;
    expect(Object.fromEntries(run.jobs.map((j) => [j.name.replace(` ${sha}.1`, ""), j.conclusion]))).toEqual({
      "build / prepare": "success",
      "build / build (x86_64)": "success",
      "build / build (aarch64)": "failure",
      "build / publish": "skipped",
    });
    expect(run.conclusion).toBe("failure");
  });

  it("promote: the promote job runs in its environment, waits for its reviewers, and gets the tested digest", async () => {
    const { a, sha } = await shipped();
    actions = a;
    (a.options.environments ??= {}).stable = {
      reviewers: true,
      secrets: { FLIBS_STABLE_USERNAME: "stable-bot", FLIBS_STABLE_PASSWORD: "stable-pass" },
    };
    await a.repos.commit("my-org/app", {
      ".github/workflows/flibs-promote.yml": readFileSync(join(ROOT, "workflows-templates/flibs-promote.yml"), "utf8"),
    });
    const digest = `sha256:${"a".repeat(64)}`;
    const r = await a.dispatch("my-org/app", "flibs-promote.yml", {
      ref: "main",
      inputs: { sha, ref: "refs/heads/main", digest, promotion_id: `${sha}-1`, policy: POLICY },
      return_run_details: true,
    });
    expect(r.status).toBe(200);
    while (a.sent("workflow_job", "waiting").length === 0) await new Promise((res) => setTimeout(res, 10));
    const run = a.runs[0]!;
    expect(run.jobs.map((j) => [j.name, j.status])).toEqual([[`promote / promote ${sha}`, "waiting"]]);
    a.approve(run.id, "stable");
    await a.idle();
    const job = run.jobs[0]!;
    expect(job).toMatchObject({
      conclusion: "success",
      outputs: { "index-digest": digest },
      environment: { name: "stable" },
      permissions: { contents: "read", packages: "write", "id-token": "write", checks: "read", metadata: "read" },
    });
    expect(job.steps.find((s) => s.id === "promote")!.inputs).toMatchObject({
      INPUT_MODE: "promote",
      INPUT_DIGEST: digest,
      "INPUT_GIT-REF": "refs/heads/main",
      "INPUT_STABLE-REGISTRY": "registry.example/stable",
      INPUT_REGISTRY: "registry.example/cand",
      INPUT_LATEST: "true",
      INPUT_USERNAME: "stable-bot",
      INPUT_PASSWORD: "stable-pass",
      "INPUT_PROMOTION-ID": `${sha}-1`,
    });
  });
});
