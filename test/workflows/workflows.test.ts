import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { actionlint } from "../helpers/actionlint.js";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY, parseContainerConfig, parsePolicy } from "../../src/core/config/index.js";
import { planBuild } from "../../src/core/plan/dispatch.js";
import { planPromoteDispatch } from "../../src/core/promote/dispatch.js";
import { findPromotionId } from "../../src/core/promote/promotion-id.js";
import { findBuildId, formatBuildId, type BuildId } from "../../src/core/plan/build-id.js";

/** Renders the `${{ inputs.x }}` and `${{ matrix.x }}` parts of a name as GitHub would. */
function render(template: string, values: Record<string, string>): string {
  return template.replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_m, path: string) => {
    if (!(path in values)) throw new Error(`no value for ${path}`);
    return values[path]!;
  });
}

const ROOT = join(import.meta.dirname, "../..");
const WORKFLOWS = join(ROOT, ".github/workflows");
const TEMPLATES = join(ROOT, "workflows-templates");

type Yaml = Record<string, any>;
const load = (p: string): Yaml => parse(readFileSync(p, "utf8")) as Yaml;
const reusable = ["build.yml", "promote.yml"];
const allWorkflowFiles = [
  ...readdirSync(WORKFLOWS)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => join(WORKFLOWS, f)),
  ...readdirSync(TEMPLATES)
    .filter((f) => /\.ya?ml$/.test(f) && f !== "container.yaml")
    .map((f) => join(TEMPLATES, f)),
];

const lint = actionlint;

describe("actionlint", () => {
  it.each(allWorkflowFiles.map((f) => [f.slice(ROOT.length + 1), f]))("%s passes", async (_name, file) => {
    const problems = await lint(readFileSync(file, "utf8"), file);
    expect(problems.map((p) => `${p.line}:${p.column} ${p.kind}: ${p.message}`)).toEqual([]);
  });
  it("catches what it is here for (a sanity check that the linter runs)", async () => {
    const bad = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo ${{ github.event.pull_request.title }}\n";
    expect((await lint(bad, "bad.yml")).map((p) => p.kind)).toContain("expression");
  });
});

/** Every `run:` script in a workflow, with its job and step for the message. */
function runScripts(wf: Yaml): Array<{ where: string; script: string }> {
  const out: Array<{ where: string; script: string }> = [];
  for (const [jobId, job] of Object.entries<Yaml>(wf.jobs ?? {})) {
    for (const [i, step] of (job.steps ?? []).entries()) {
      if (typeof step.run === "string") out.push({ where: `${jobId}.steps[${i}]`, script: step.run });
    }
  }
  return out;
}

describe("no expressions in scripts", () => {
  it.each(allWorkflowFiles.map((f) => [f.slice(ROOT.length + 1), f]))("%s passes inputs through env", (_n, file) => {
    for (const { where, script } of runScripts(load(file))) {
      expect(script, `${where} expands an expression inside run:`).not.toMatch(/\$\{\{/);
    }
  });
  it("the check itself finds an expression in a run: script", () => {
    const wf = parse("jobs:\n  a:\n    steps:\n      - run: echo ${{ inputs.sha }}\n") as Yaml;
    expect(runScripts(wf).some((s) => /\$\{\{/.test(s.script))).toBe(true);
  });
});

describe("reusable workflows", () => {
  it.each(reusable)("%s is workflow_call only, with least privilege and SHA-pinned actions", (name) => {
    const wf = load(join(WORKFLOWS, name));
    expect(Object.keys(wf.on)).toEqual(["workflow_call"]);
    expect(wf.permissions).toEqual({});
    for (const [jobId, job] of Object.entries<Yaml>(wf.jobs)) {
      expect(job.permissions, `${jobId} declares its permissions`).toBeDefined();
      for (const step of job.steps ?? []) {
        if (typeof step.uses !== "string" || step.uses.startsWith("./")) continue;
        expect(step.uses, `${jobId}: ${step.uses}`).toMatch(/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/);
      }
    }
  });
  it("build.yml: one job per arch with runs-on from the input, fail-fast off, a concurrency group per PR", () => {
    const wf = load(join(WORKFLOWS, "build.yml"));
    expect(Object.keys(wf.jobs)).toEqual(["prepare", "build", "publish"]);
    const build = wf.jobs.build;
    expect(build.strategy["fail-fast"]).toBe(false);
    expect(build.strategy.matrix.arch).toContain("needs.prepare.outputs.arches");
    expect(build["runs-on"]).toContain("fromJSON(inputs.policy).runner_labels[matrix.arch]");
    expect(build["runs-on"]).toContain('"self-hosted", "linux"');
    expect(build.name).toContain("inputs.build_id");
    expect(wf.concurrency.group).toContain("inputs.pr");
    // A new push cancels the running build; a retest (index_digests set) queues behind it.
    expect(wf.concurrency["cancel-in-progress"]).toBe("${{ inputs.index_digests == '{}' }}");
    expect(wf.jobs.publish.needs).toEqual(["prepare", "build"]);
  });
  it("build.yml: the tested digests reach publish by value, and policy decides where and what", () => {
    const wf = load(join(WORKFLOWS, "build.yml"));
    const outputs = wf.jobs.build.outputs;
    expect(Object.keys(outputs)).toEqual(["digest-x86_64", "digest-aarch64", "digest-ppc64le", "digest-s390x"]);
    for (const [name, value] of Object.entries(outputs)) expect(value).toBe(`\${{ steps.build.outputs.${name} }}`);
    const publish = wf.jobs.publish.steps.find((st: Yaml) => st.id === "publish");
    expect(publish.with.digests).toBe("${{ toJSON(needs.build.outputs) }}");
    expect(publish.with["kept-digests"]).toBe("${{ inputs.index_digests }}");
    expect(publish.with.registry).toBe("${{ fromJSON(inputs.policy).candidate }}");
    const build = wf.jobs.build.steps.find((st: Yaml) => st.id === "build");
    expect(build.with["approved-registries"]).toBe("${{ join(fromJSON(inputs.policy).approved_registries, ',') }}");
    expect(build.with.registry).toBe("${{ fromJSON(inputs.policy).candidate }}");
    // prepare and publish never run where pull request code builds: policy's control group, GitHub-hosted by default.
    for (const job of ["prepare", "publish"])
      expect(wf.jobs[job]["runs-on"]).toBe("${{ fromJSON(inputs.policy).control_runner || 'ubuntu-latest' }}");
  });
  it("only promote.yml gets id-token: write, and it runs in an environment", () => {
    const build = load(join(WORKFLOWS, "build.yml"));
    for (const job of Object.values<Yaml>(build.jobs)) expect(job.permissions?.["id-token"]).toBeUndefined();
    const promote = load(join(WORKFLOWS, "promote.yml"));
    expect(promote.jobs.promote.permissions["id-token"]).toBe("write");
    expect(promote.jobs.promote.environment).toBe("${{ inputs.environment }}");
    expect(promote.on.workflow_call.inputs.environment.default).toBe("stable");
    expect(promote.jobs.promote["runs-on"]).toBe("${{ fromJSON(inputs.policy).runner || 'ubuntu-latest' }}");
    // The promote job reads the App's checks before it copies, and the stable credentials never fall back to the job's token.
    expect(promote.jobs.promote.permissions.checks).toBe("read");
    const step = promote.jobs.promote.steps.find((st: Yaml) => st.id === "promote");
    expect(step.with["app-id"]).toBe("${{ vars.FLIBS_APP_ID }}");
    expect(step.with["promotion-id"]).toBe("${{ inputs.promotion_id }}");
    expect(step.with.password).toBe("${{ secrets.FLIBS_STABLE_PASSWORD }}");
    expect(step.with.username).toBe("${{ secrets.FLIBS_STABLE_USERNAME }}");
    // The job's token is used only to read the candidate registry, never as the stable credential.
    expect(Object.entries(step.with).filter(([, v]) => String(v).includes("github.token"))).toEqual([
      ["candidate-password", "${{ github.token }}"],
    ]);
  });
});

/** Cross-checks a `uses: owner/flibs/.github/workflows/x.yml@ref` job against the workflow it calls. */
function crossCheck(caller: Yaml): string[] {
  const problems: string[] = [];
  for (const [jobId, job] of Object.entries<Yaml>(caller.jobs ?? {})) {
    if (typeof job.uses !== "string") continue;
    const m = /^[\w.-]+\/[\w.-]+\/(\.github\/workflows\/[\w.-]+\.ya?ml)@[\w./-]+$/.exec(job.uses);
    if (!m) {
      problems.push(`${jobId}: uses ${job.uses} is not owner/repo/.github/workflows/file.yml@ref`);
      continue;
    }
    const callee = join(ROOT, m[1]!);
    if (!existsSync(callee)) {
      problems.push(`${jobId}: ${m[1]} does not exist in flibs`);
      continue;
    }
    const declared: Record<string, Yaml> = load(callee).on?.workflow_call?.inputs ?? {};
    const given: Record<string, unknown> = job.with ?? {};
    for (const [name, spec] of Object.entries(declared)) {
      if (spec.required && !(name in given)) problems.push(`${jobId}: required input ${name} not given`);
    }
    for (const [name, value] of Object.entries(given)) {
      const spec = declared[name];
      if (!spec) {
        problems.push(`${jobId}: input ${name} is not declared by ${m[1]}`);
        continue;
      }
      const isExpr = typeof value === "string" && /^\$\{\{.*\}\}$/.test(value.trim());
      if (!isExpr && typeof value !== spec.type) problems.push(`${jobId}: input ${name} is a ${typeof value}, declared ${spec.type}`);
    }
  }
  return problems;
}

describe("names the App reads back", () => {
  const id: BuildId = { sha: "0123456789abcdef0123456789abcdef01234567", attempt: 2, scratch: true };
  const values = { "inputs.build_id": formatBuildId(id), "matrix.arch": "aarch64" };
  it("every job of build.yml and the caller's run-name carry the build id the App parses", () => {
    const build = load(join(WORKFLOWS, "build.yml"));
    for (const [jobId, job] of Object.entries<Yaml>(build.jobs)) {
      expect(findBuildId(render(job.name, values)), jobId).toEqual(id);
    }
    expect(render(build.jobs.build.name, values)).toMatch(/^build \(aarch64\) /);
    expect(render(build.jobs.publish.name, values)).toMatch(/^publish /);
    expect(findBuildId(render(load(join(TEMPLATES, "flibs.yml"))["run-name"], values))).toEqual(id);
  });
});

describe("templates", () => {
  const caller = load(join(TEMPLATES, "flibs.yml"));
  it("the caller calls a workflow that exists here with exactly the inputs it declares", () => {
    expect(crossCheck(caller)).toEqual([]);
  });
  it("the cross-check catches a missing workflow, an unknown input, a missing required one and a wrong type", () => {
    const bad = structuredClone(caller);
    bad.jobs.build.with.bogus = "x";
    delete bad.jobs.build.with.sha;
    bad.jobs.build.with.pr = 5;
    bad.jobs.other = { uses: "my-org/flibs/.github/workflows/nope.yml@v1" };
    expect(crossCheck(bad)).toEqual([
      "build: required input sha not given",
      "build: input pr is a number, declared string",
      "build: input bogus is not declared by .github/workflows/build.yml",
      "other: .github/workflows/nope.yml does not exist in flibs",
    ]);
  });
  it("the caller is dispatched with exactly the inputs the App sends, and names runs by build id", () => {
    const inputs = Object.keys(caller.on.workflow_dispatch.inputs).sort();
    expect(inputs).toEqual(["arches", "build_id", "index_digests", "policy", "pr", "scratch", "sha"]);
    // What the App sends for a first build and for `/retest aarch64` (which adds index_digests).
    const config = parseContainerConfig("platforms:\n  only: [x86_64, aarch64]\n");
    if (!config.ok) throw new Error("fixture");
    const id = { sha: "0123456789abcdef0123456789abcdef01234567", attempt: 1, scratch: false };
    const first = planBuild({ id, config: config.value, policy: DEFAULT_POLICY, pr: 3 });
    const retest = planBuild({
      id: { ...id, attempt: 2 },
      config: config.value,
      policy: DEFAULT_POLICY,
      pr: 3,
      only: ["aarch64"],
      kept: { x86_64: `sha256:${"1".repeat(64)}` },
    });
    expect(Object.keys(retest.inputs).sort()).toEqual(inputs);
    for (const key of Object.keys(first.inputs)) expect(inputs).toContain(key);
    expect(caller.jobs.build.with.index_digests).toBe("${{ inputs.index_digests }}");
    expect(caller.jobs.build.with.policy).toBe("${{ inputs.policy }}");
    // The caller carries no value of the policy: a registry or approved list written here would drift from it.
    expect(JSON.stringify(caller.jobs.build.with)).not.toMatch(/ghcr\.io|registry/);
    expect(caller["run-name"]).toContain("inputs.build_id");
    expect(Object.keys(caller.on)).toEqual(["workflow_dispatch"]);
  });
  it("the promote caller calls promote.yml with what it declares, is dispatched with exactly the inputs the App sends, and names runs by promotion id", () => {
    const promoteCaller = load(join(TEMPLATES, "flibs-promote.yml"));
    expect(crossCheck(promoteCaller)).toEqual([]);
    expect(Object.keys(promoteCaller.on)).toEqual(["workflow_dispatch"]);
    const policy = parsePolicy({ registries: { candidate: "ghcr.io/my-org/candidates", stable: "ghcr.io/my-org" } });
    if (!policy.ok) throw new Error(policy.message);
    const id = { sha: "0123456789abcdef0123456789abcdef01234567", attempt: 2 };
    const plan = planPromoteDispatch({ id, ref: "refs/heads/main", digest: `sha256:${"a".repeat(64)}`, policy: policy.value });
    if (!plan.ok) throw plan.error;
    // Every input the App sends is declared, and nothing else: the environment is fixed in the caller, not an input.
    expect(Object.keys(promoteCaller.on.workflow_dispatch.inputs).sort()).toEqual(Object.keys(plan.value.inputs).sort());
    expect(Object.keys(promoteCaller.on.workflow_dispatch.inputs)).not.toContain("environment");
    expect(promoteCaller.jobs.promote.with.environment).toBe("stable");
    expect(promoteCaller.jobs.promote.with.promotion_id).toBe("${{ inputs.promotion_id }}");
    expect(promoteCaller.jobs.promote.secrets).toBe("inherit");
    expect(plan.value.workflow).toBe("flibs-promote.yml");
    expect(findPromotionId(render(promoteCaller["run-name"], { "inputs.promotion_id": plan.value.inputs.promotion_id }))).toEqual(id);
    // The tested digest reaches the Action: never re-resolved from a tag.
    expect(promoteCaller.jobs.promote.with.digest).toBe("${{ inputs.digest }}");
    const step = load(join(WORKFLOWS, "promote.yml")).jobs.promote.steps.find((s: Yaml) => s.id === "promote");
    expect(step.with.digest).toBe("${{ inputs.digest }}");
    // A reusable workflow's job gets no more than its caller grants.
    expect(promoteCaller.permissions).toMatchObject({ "id-token": "write", packages: "write", contents: "read", checks: "read" });
    const props = JSON.parse(readFileSync(join(TEMPLATES, "flibs-promote.properties.json"), "utf8"));
    expect(typeof props.name).toBe("string");
  });
  it("has the properties file GitHub's workflow templates need, and a valid container.yaml starter", () => {
    const props = JSON.parse(readFileSync(join(TEMPLATES, "flibs.properties.json"), "utf8"));
    expect(typeof props.name).toBe("string");
    expect(typeof props.description).toBe("string");
    const parsed = parseContainerConfig(readFileSync(join(TEMPLATES, "container.yaml"), "utf8"));
    expect(parsed.findings).toEqual([]);
  });
});
