import { describe, expect, it } from "vitest";
import { TEST_LOG_LINES, testLogLines } from "../../../src/core/report/test-log.js";

describe("an image test in the job log", () => {
  it("a pass is one line", () => {
    expect(testLogLines({ name: "arch", passed: true, output: "x86_64\n" })).toEqual(["test arch: passed"]);
  });

  it("a failure shows what the runtime said, indented under it", () => {
    const runc =
      'error running container: from /usr/bin/runc creating container for [/bin/sh]: time="t" level=error msg="runc create failed"\n: exit status 1\n';
    expect(testLogLines({ name: "arch", passed: false, output: runc })).toEqual([
      "test arch: FAILED; its output:",
      '  error running container: from /usr/bin/runc creating container for [/bin/sh]: time="t" level=error msg="runc create failed"',
      "  : exit status 1",
    ]);
  });

  it("a long output is cut to its end, and a silent failure says so", () => {
    const output = Array.from({ length: 50 }, (_, i) => `line ${i}`).join("\n");
    const lines = testLogLines({ name: "big", passed: false, output });
    expect(lines[0]).toBe(`test big: FAILED; the last ${TEST_LOG_LINES} lines of its output:`);
    expect(lines.slice(1)).toEqual(Array.from({ length: TEST_LOG_LINES }, (_, i) => `  line ${50 - TEST_LOG_LINES + i}`));
    expect(testLogLines({ name: "quiet", passed: false, output: "\n" })).toEqual(["test quiet: FAILED, printing nothing"]);
  });
});
