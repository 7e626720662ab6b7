import { describe, expect, it } from "vitest";
import { GOOD, at, hits } from "../helpers.js";

describe("dockerfile-parse", () => {
  it("accepts a well-formed Dockerfile, keywords in any case", () => {
    expect(hits("dockerfile-parse", GOOD)).toEqual([]);
    expect(hits("dockerfile-parse", ["from registry.fedoraproject.org/fedora:41", "run true"])).toEqual([]);
  });
  it("reports an empty file and one with only comments", () => {
    expect(hits("dockerfile-parse", "")[0]?.message).toMatch(/no instructions/);
    expect(hits("dockerfile-parse", "# just a comment\n\n")[0]?.message).toMatch(/no instructions/);
  });
  it("reports a Dockerfile without FROM", () => {
    const fs = hits("dockerfile-parse", ["ARG X=1"]);
    expect(fs.map((f) => f.message)).toEqual(["the Dockerfile has no FROM instruction"]);
  });
  it("reports an unknown instruction on its line", () => {
    const fs = hits("dockerfile-parse", [...GOOD, "COPPY a /b"]);
    expect(at(fs)).toEqual(["4:1"]);
    expect(fs[0]?.message).toBe("unknown instruction `COPPY`");
  });
  it("reports an instruction before the first FROM, but not ARG", () => {
    const fs = hits("dockerfile-parse", ["ARG V=41", "RUN true", ...GOOD]);
    expect(at(fs)).toEqual(["2:1"]);
  });
  it("reports instructions without arguments and a malformed FROM", () => {
    expect(at(hits("dockerfile-parse", [...GOOD, "WORKDIR"]))).toEqual(["4:1"]);
    expect(hits("dockerfile-parse", ["FROM a:1 b c d"])[0]?.message).toMatch(/image \[AS name\]/);
  });
});
