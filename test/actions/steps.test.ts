import { afterEach, describe, expect, it } from "vitest";
import { useFakeGitHub } from "../helpers/github.js";
import { actionsFixture, FakeActions, inputVariable } from "../helpers/actions/index.js";

const github = useFakeGitHub();
let actions: FakeActions | undefined;
afterEach(async () => {
  await actions?.cleanup();
  actions = undefined;
});

describe("action steps", () => {
  it("names inputs as the runner does: upper-cased, spaces to underscores, hyphens kept", () => {
    expect(inputVariable("build-id")).toBe("INPUT_BUILD-ID");
    expect(inputVariable("Mixed Case")).toBe("INPUT_MIXED_CASE");
  });

  it("checks the repository out with git at the run's commit and runs a local action with INPUT_* and its defaults", async () => {
    actions = new FakeActions(github, { runners: [{ name: "r", labels: ["self-hosted", "linux"] }] });
    const sha = await actions.repos.create("my-org/app", {
      ".github/workflows/use-action.yml": actionsFixture("action-inputs/use-action.yml"),
      "tools/echo-action": actionsFixture("fake-action"),
    });
    await actions.dispatch("my-org/app", "use-action.yml", { ref: "main" });
    await actions.idle();
    const job = actions.runs[0]!.jobs[0]!;
    expect(job.conclusion).toBe("success");
    expect(job.permissions).toEqual({ contents: "read", metadata: "read" });
    const [, checkout, act, show] = job.steps;
    expect(checkout!.name).toBe("Run actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8");
    expect(checkout!.log).toContain(`Checking out ${sha}`);
    expect(act!.inputs).toEqual({
      "INPUT_BUILD-ID": "b-1",
      INPUT_MIXED_CASE: "yes",
      INPUT_EXTRA: "surprise",
      "INPUT_WITH-DEFAULT": "my-org/app",
    });
    expect(act!.outputs.seen).toBe("INPUT_BUILD-ID=b-1;INPUT_EXTRA=surprise;INPUT_MIXED_CASE=yes;INPUT_WITH-DEFAULT=my-org/app");
    expect(act!.summary).toContain("| INPUT_BUILD-ID=b-1 |");
    expect(show!.log).toContain("seen=INPUT_BUILD-ID=b-1");
    expect(job.annotations).toEqual([
      expect.objectContaining({
        annotation_level: "warning",
        message: "Unexpected input(s) 'extra', valid inputs are ['build-id', 'Mixed Case', 'with-default']",
      }),
    ]);
  });
});
