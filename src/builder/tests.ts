import type { ImageTest } from "../core/config/index.js";

/** The argv a test runs in the image: a string goes through the image's /bin/sh -c. */
export function testArgv(test: ImageTest): string[] {
  return typeof test.command === "string" ? ["/bin/sh", "-c", test.command] : [...test.command];
}

/** Passed when the command exited 0 and printed `expect`, if the test has one. */
export function judgeTest(test: ImageTest, exitOk: boolean, stdout: string): boolean {
  return exitOk && (test.expect === undefined || stdout.includes(test.expect));
}
