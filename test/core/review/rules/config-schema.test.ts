import { describe, expect, it } from "vitest";
import { GOOD, hits } from "../helpers.js";

describe("config-schema", () => {
  it("reports container.yaml schema problems on their YAML line, in container.yaml", () => {
    const fs = hits("config-schema", GOOD, { containerYaml: "image: demo\nplatforms:\n  only: [x86_64, sparc]\nfoo: 1\n" });
    expect(fs.map((f) => `${f.file}:${f.line} ${f.message}`)).toEqual([
      "container.yaml:3 `sparc` is not an arch flibs builds: use `x86_64`, `aarch64`, `ppc64le` or `s390x`",
      "container.yaml:4 unknown key `foo` (known keys: `image`, `dockerfile`, `platforms`, `tags`, `version`, `build_args`, `tests`)",
    ]);
  });
  it("is silent on a valid file", () => {
    expect(hits("config-schema", GOOD, { containerYaml: "image: demo\nplatforms:\n  not: [s390x]\n" })).toEqual([]);
  });
});
