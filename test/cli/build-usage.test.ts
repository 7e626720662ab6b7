/** `flibs build` as a user runs it (the bundled bin): a mistake is one line saying what is wrong, exit 2. */
import { describe, expect, it } from "vitest";
import { flibs } from "./run-flibs.js";

describe("flibs build's usage errors through the bin", () => {
  it.each([
    [["--platforms", "arm64"], 'flibs: --platforms: unknown arch "arm64" (x86_64, aarch64, ppc64le, s390x)\n'],
    [["--output", "docker://x/y:z"], 'flibs: --output must be oci:PATH[:TAG] or oci-archive:FILE[:TAG], got "docker://x/y:z"\n'],
    [["--output", "oci:out", "--push", "127.0.0.1:5000/x:y"], "flibs: give --push (a registry) or --output (a layout on disk), not both\n"],
  ])("build examples/httpd %j", (args, message) => {
    const r = flibs(["build", "examples/httpd", ...args]);
    expect(r.stderr).toBe(message);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
  });
});
