import { describe, expect, it } from "vitest";
import { StepClock } from "../../src/builder/step-clock.js";

describe("the step clock of a job", () => {
  it("gives each step its own duration, overlapping steps included, and lists planned steps never started as not run", async () => {
    let now = 1_000;
    const clock = new StepClock(() => now);
    clock.plan(["read x86_64", "read aarch64", "push index", "record"]);
    const x = clock.begin("read x86_64");
    now += 500;
    const a = clock.begin("read aarch64");
    now += 1_500;
    x.end();
    now += 1_000;
    a.end();
    await expect(
      clock.step("push index", async () => {
        now += 250;
        throw new Error("registry down");
      }),
    ).rejects.toThrow("registry down");
    expect(clock.failed).toBe("push index");
    expect(clock.steps()).toEqual([
      { name: "read x86_64", result: "done", seconds: 2 },
      { name: "read aarch64", result: "done", seconds: 2.5 },
      { name: "push index", result: "failed", seconds: 0.25 },
      { name: "record", result: "not run" },
    ]);
  });

  it("a step under way when the job ends is running, with its time so far; an end after the first changes nothing", () => {
    let now = 0;
    const clock = new StepClock(() => now);
    const build = clock.begin("build");
    now += 12_500;
    expect(clock.steps()).toEqual([{ name: "build", result: "running", seconds: 12.5 }]);
    build.end("skipped", "not signed: no cosign");
    build.end("failed");
    expect(clock.steps()).toEqual([{ name: "build", result: "skipped", seconds: 12.5, label: "not signed: no cosign" }]);
  });
});
