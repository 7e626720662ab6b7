import { describe, expect, it } from "vitest";
import { GOOD, at, hits } from "../helpers.js";

describe("required-labels", () => {
  it("passes when the final stage sets Fedora's required labels", () => {
    expect(hits("required-labels", GOOD)).toEqual([]);
  });
  it("names the missing labels, on the final FROM", () => {
    const fs = hits("required-labels", ["FROM registry.fedoraproject.org/fedora:41", "LABEL name=x version=1", "USER 1001"]);
    expect(at(fs)).toEqual(["1:1"]);
    expect(fs[0]?.message).toBe("the final stage does not set required LABELs `com.redhat.component`, `summary`, `maintainer`");
  });
  it("reads multi-line, quoted, old-style and ARG/ENV-substituted labels", () => {
    const fs = hits("required-labels", [
      "FROM registry.fedoraproject.org/fedora:41",
      "ARG NAME=demo",
      'ENV SUMMARY="a demo image"',
      'LABEL "com.redhat.component"="$NAME" \\',
      "      # a comment inside the instruction",
      '      name="${NAME}" \\',
      "      version=1",
      "LABEL summary $SUMMARY",
      "LABEL maintainer='Jane <jane@example.com>'",
    ]);
    expect(fs).toEqual([]);
  });
  it("reports a label whose value substitutes to nothing", () => {
    const fs = hits("required-labels", [...GOOD, 'LABEL version="$UNSET"']);
    expect(fs.map((f) => f.message)).toEqual(["required LABEL `version` is empty"]);
    expect(at(fs)).toEqual(["4:7"]);
  });
  it("counts labels of a stage the final stage is built FROM, not of other stages", () => {
    const base = "LABEL com.redhat.component=c name=n version=1 summary=s maintainer=m";
    expect(hits("required-labels", ["FROM registry.fedoraproject.org/fedora:41 AS base", base, "FROM base", "USER 1"])).toEqual([]);
    expect(at(hits("required-labels", ["FROM registry.fedoraproject.org/fedora:41 AS build", base, "FROM scratch"]))).toEqual(["3:1"]);
  });
  it("uses the policy's set", () => {
    expect(hits("required-labels", GOOD, { policy: { required_labels: ["org.opencontainers.image.source"] } })[0]?.message).toMatch(
      /org\.opencontainers\.image\.source/,
    );
    expect(hits("required-labels", ["FROM registry.fedoraproject.org/fedora:41"], { policy: { required_labels: [] } })).toEqual([]);
  });
});
