import { outputTail } from "./log-tail.js";

/** Lines of a failed test's output the job log shows under it: its end, where a runtime's error is. */
export const TEST_LOG_LINES = 20;

/**
 * What the job log says of one image test: passed, or FAILED followed by the end of what the test (or the
 * runtime that could not start it) printed, indented under it, so the log alone tells why.
 */
export function testLogLines(t: { name: string; passed: boolean; output: string }): string[] {
  if (t.passed) return [`test ${t.name}: passed`];
  const { lines, omitted } = outputTail(t.output, TEST_LOG_LINES);
  if (lines.length === 0) return [`test ${t.name}: FAILED, printing nothing`];
  return [
    `test ${t.name}: FAILED; ${omitted > 0 ? `the last ${lines.length} lines of its output` : "its output"}:`,
    ...lines.map((l) => `  ${l}`),
  ];
}
