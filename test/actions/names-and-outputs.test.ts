import { afterEach, describe, expect, it } from "vitest";
import { useFakeGitHub } from "../helpers/github.js";
import { actionsFixture, FakeActions } from "../helpers/actions/index.js";

const github = useFakeGitHub();
let actions: FakeActions | undefined;
afterEach(async () => {
  await actions?.cleanup();
  actions = undefined;
});

const RUNNERS = [
  { name: "control-1", labels: ["self-hosted", "linux"] },
  { name: "x86-1", labels: ["self-hosted", "linux", "x86_64"], arch: "X64" as const },
  { name: "arm-1", labels: ["self-hosted", "linux", "aarch64"], arch: "ARM64" as const },
];

async function nested(): Promise<FakeActions> {
  const a = new FakeActions(github, { runners: RUNNERS, secrets: { "my-org/app": { TOKEN_SECRET: "s3cr3t-value" } } });
  await a.repos.create(
    "my-org/lib",
    {
      ".github/workflows/middle.yml": actionsFixture("nested/middle.yml"),
      ".github/workflows/inner.yml": actionsFixture("nested/inner.yml"),
    },
    { tags: ["v1"] },
  );
  await a.repos.create("my-org/app", { ".github/workflows/nested.yml": actionsFixture("nested/caller.yml") });
  return a;
}

describe("job names as GitHub forms them", () => {
  it("chains caller job names over every level of reusable workflows, and matrix legs with and without a name", async () => {
    actions = await nested();
    const r = await actions.dispatch("my-org/app", "nested.yml", { ref: "main", inputs: { id: "abc.1" } });
    expect(r.status).toBe(204);
    await actions.idle();
    const [run] = actions.runs;
    expect(run!.display_title).toBe("nested abc.1");
    expect(run!.conclusion).toBe("success");
    expect(run!.jobs.map((j) => j.name).sort()).toEqual(
      [
        "build / arch / build (x86_64) abc.1",
        "build / arch / build (aarch64) abc.1",
        "build / arch / test (linux, 1)",
        "build / arch / test (linux, 2)",
        "build / arch / publish",
        "report",
      ].sort(),
    );
    const x86 = run!.jobs.find((j) => j.name.includes("x86_64"))!;
    expect(x86.labels).toEqual(["self-hosted", "linux", "x86_64"]);
    expect(x86.runner_name).toBe("x86-1");
    expect(run!.jobs.find((j) => j.name.includes("aarch64"))!.runner_name).toBe("arm-1");
  });
});

describe("outputs", () => {
  it("flow from a step to its job, to the reusable workflow's outputs, to the caller's needs", async () => {
    actions = await nested();
    await actions.dispatch("my-org/app", "nested.yml", { ref: "main", inputs: { id: "abc.1", arches: '["aarch64"]' } });
    await actions.idle();
    const run = actions.runs[0]!;
    const report = run.jobs.find((j) => j.name === "report")!;
    expect(report.outputs.report).toBe(`success:sha256:aarch64-${run.id}`);
  });

  it("passes inherited secrets down and masks them in logs", async () => {
    actions = await nested();
    await actions.dispatch("my-org/app", "nested.yml", { ref: "main", inputs: { id: "abc.1", arches: '["x86_64"]' } });
    await actions.idle();
    const log = actions.runs[0]!.jobs.find((j) => j.name.includes("x86_64"))!
      .steps.map((s) => s.log)
      .join("");
    expect(log).toContain("uname=X64 secret=***");
    expect(log).not.toContain("s3cr3t-value");
  });
});
