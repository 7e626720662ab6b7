import { describe, expect, it } from "vitest";
import {
  DEFAULT_POLICY,
  jsonSchemas,
  parseContainerConfig,
  parsePolicy,
  parsePolicyText,
  plannedArches,
  runnerLabels,
} from "../../src/core/config/index.js";

describe("container.yaml", () => {
  it("reports a schema error on the line of the offending value", () => {
    const r = parseContainerConfig("image: fedora/httpd\nplatforms:\n  only: [x86_64, arm64]\n");
    expect(r.ok).toBe(false);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ rule: "config-schema", file: "container.yaml", line: 3, severity: "error" });
    // Was `platforms.only.1: must be one of "x86_64", ...`: a schema path, not what the person typed.
    expect(r.findings[0]!.message).toBe("`arm64` is not an arch flibs builds: did you mean `aarch64`?");
  });

  it("reports an unknown key on its own line", () => {
    const r = parseContainerConfig("image: x\ntests:\n  - name: smoke\n    comand: true\n");
    expect(r.ok).toBe(false);
    expect(r.findings.map((f) => [f.line, f.message])).toEqual([
      [3, "`command` is required in `tests` item 1"],
      [4, "unknown key `comand` in `tests` item 1: did you mean `command`?"],
    ]);
  });

  it("reports YAML syntax errors with a line", () => {
    const r = parseContainerConfig("image: x\nplatforms: [x86_64\n");
    expect(r.ok).toBe(false);
    expect(r.findings[0]!.rule).toBe("config-syntax");
    expect(r.findings[0]!.line).toBeGreaterThanOrEqual(2);
  });

  it("treats a missing or empty file as all defaults", () => {
    const r = parseContainerConfig(undefined);
    expect(r.ok && r.value.dockerfile).toBe("Dockerfile");
  });

  it("applies OSBS platforms only/not against the policy's arches, in fixed order", () => {
    const r = parseContainerConfig("platforms:\n  only: [s390x, x86_64, aarch64]\n  not: [aarch64]\n");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(plannedArches(r.value, DEFAULT_POLICY)).toEqual(["x86_64", "s390x"]);
    const policy = parsePolicy({ arches: ["x86_64", "aarch64"] });
    expect(policy.ok && plannedArches(r.value, policy.value)).toEqual(["x86_64"]);
  });
});

describe("config errors give the bad value and a suggestion, not a schema path", () => {
  const byLine = (fs: readonly { line: number; message: string }[]) =>
    [...fs].sort((a, b) => a.line - b.line).map((f) => `${f.line}: ${f.message}`);
  const messages = (text: string) => byLine(parseContainerConfig(text).findings);
  const policyText = (text: string) => byLine(parsePolicyText(text, "flibs.yml").findings);

  it("every enum: arches (OCI names too), permissions, rule levels and the policy's own choices", () => {
    expect(messages("platforms:\n  not: [amd64, s390]\n")).toEqual([
      "2: `amd64` is not an arch flibs builds: did you mean `x86_64`?",
      "2: `s390` is not an arch flibs builds: did you mean `s390x`?",
    ]);
    expect(messages("tests:\n  - {name: t, command: id, arches: [sparc]}\n")).toEqual([
      "2: `sparc` is not an arch flibs builds: use `x86_64`, `aarch64`, `ppc64le` or `s390x`",
    ]);
    expect(
      policyText(
        "arches: [arm64]\npromote:\n  permission: maintainer\nbuild:\n  component_drift: warning\n  ok_to_test_sha: require\nrules:\n  user-root: warn\n",
      ),
    ).toEqual([
      "1: `arm64` is not an arch flibs builds: did you mean `aarch64`?",
      "3: `maintainer` is not a repository permission: did you mean `maintain`?",
      "5: `warning` is not a value `component_drift` takes: did you mean `warn`?",
      "6: `require` is not a value `ok_to_test_sha` takes: did you mean `required`?",
      "8: `warn` is not a rule level: did you mean `warning`?",
    ]);
    expect(policyText("rules:\n  user-root: fatal\n")).toEqual(["2: `fatal` is not a rule level: use `off`, `info`, `warning` or `error`"]);
  });

  it("every unknown key, at any depth, with the closest known key or the list of them", () => {
    expect(messages("platfroms: {}\nimage: x\nplatforms:\n  onyl: [x86_64]\n")).toEqual([
      "1: unknown key `platfroms`: did you mean `platforms`?",
      "4: unknown key `onyl` in `platforms`: did you mean `only`?",
    ]);
    expect(messages("colour: blue\n")).toEqual([
      "1: unknown key `colour` (known keys: `image`, `dockerfile`, `platforms`, `tags`, `version`, `build_args`, `tests`)",
    ]);
    expect(policyText("registries:\n  candidate: a\n  stabel: b\n")).toEqual([
      "2: `stable` is required in `registries`",
      "3: unknown key `stabel` in `registries`: did you mean `stable`?",
    ]);
  });

  it("types and formats name the value", () => {
    expect(messages("tags: v1\n")).toEqual(["1: `tags` must be a list, not `v1`"]);
    expect(messages("tags: ['not a tag']\n")).toEqual(["1: `not a tag` is not a valid OCI tag"]);
    expect(messages("platforms: [x86_64]\n")).toEqual(["1: `platforms` must be a mapping (`key: value` lines), not a list"]);
    expect(messages("tests:\n  - name: ''\n    command: 3\n")).toEqual([
      "2: `name` must not be empty",
      "3: `command` must be text or a list of text, not `3`",
    ]);
  });

  it("the App's reading of the policy (no lines) says where each bad value is", () => {
    const p = parsePolicy({ arches: ["x86_64", "arm64"], registriez: {} });
    expect(!p.ok && p.message).toBe(
      "`arches` item 2: `arm64` is not an arch flibs builds: did you mean `aarch64`?; unknown key `registriez`: did you mean `registries`?",
    );
  });
});

describe("policy", () => {
  it("defaults runner labels to self-hosted, linux, arch", () => {
    expect(runnerLabels(DEFAULT_POLICY, "ppc64le")).toEqual(["self-hosted", "linux", "ppc64le"]);
    const p = parsePolicy({ runner_labels: { aarch64: ["arm-pool"] } });
    expect(p.ok && runnerLabels(p.value, "aarch64")).toEqual(["arm-pool"]);
  });

  it("defaults required labels to the Fedora container guidelines' set", () => {
    expect(DEFAULT_POLICY.required_labels).toEqual(["com.redhat.component", "name", "version", "summary", "maintainer"]);
  });

  it("rejects unknown policy keys with a path", () => {
    const p = parsePolicy({ registriez: {} });
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.message).toContain("registriez");
  });
});

describe("JSON Schema", () => {
  it("is generated from the same schema and knows OSBS's platforms", () => {
    const s = jsonSchemas().container as { properties: Record<string, { properties?: Record<string, unknown> }> };
    expect(Object.keys(s.properties.platforms!.properties!)).toEqual(["only", "not"]);
  });
});
