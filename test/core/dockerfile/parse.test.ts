import { describe, expect, it } from "vitest";
import { imageUnder, parseDockerfile, parseImageName, substitute } from "../../../src/core/dockerfile/index.js";

const df = (lines: string[], buildArgs?: Record<string, string>) =>
  parseDockerfile(`${lines.join("\n")}\n`, "Dockerfile", buildArgs ? { buildArgs } : {});

describe("parseDockerfile", () => {
  it("gives instructions 1-based positions and joins continuation lines", () => {
    const d = df([
      "# syntax comment",
      "FROM registry.fedoraproject.org/fedora:41",
      "RUN dnf -y install \\",
      "      httpd \\",
      "  # comment inside",
      "      mod_ssl",
    ]);
    const run = d.instructions[1];
    expect(run).toMatchObject({ keyword: "RUN", line: 3, column: 1, endLine: 6, argsLine: 3, argsColumn: 5, stage: 0 });
    expect(run?.args).toBe("dnf -y install       httpd       mod_ssl");
    expect(run?.positionAt(run.args.indexOf("mod_ssl"))).toEqual({ line: 6, column: 7 });
    expect(run?.positionAt(run.args.indexOf("httpd"))).toEqual({ line: 4, column: 7 });
  });

  it("knows stages by name (case-insensitive) and index, and scratch", () => {
    const d = df(["FROM registry.fedoraproject.org/fedora:41 AS Build", "FROM build", "FROM 0", "FROM scratch", "FROM fedora:41"]);
    expect(d.stages.map((s) => [s.name, s.from.kind])).toEqual([
      ["build", "image"],
      [undefined, "stage"],
      [undefined, "stage"],
      [undefined, "scratch"],
      [undefined, "image"],
    ]);
    expect(d.stages[1]?.instructions.map((i) => i.keyword)).toEqual(["FROM"]);
  });

  it("substitutes global ARGs into FROM, build args first", () => {
    const lines = ["ARG REG=registry.fedoraproject.org", "ARG TAG=41", "FROM ${REG}/fedora:${TAG:-40}"];
    expect(df(lines).stages[0]?.from.resolved).toBe("registry.fedoraproject.org/fedora:41");
    expect(df(lines, { TAG: "42" }).stages[0]?.from.resolved).toBe("registry.fedoraproject.org/fedora:42");
    expect(df(["ARG X", "FROM $X"]).stages[0]?.from.unresolved).toEqual(["X"]);
  });

  it("reads LABEL key/values: quoted, multi-line, old form, ARG and ENV values, global ARG re-declared in a stage", () => {
    const d = df([
      "ARG VERSION=1.2",
      "FROM registry.fedoraproject.org/fedora:41",
      "ARG VERSION",
      'ENV NAME=httpd SUMMARY="Apache \\',
      'web server"',
      'LABEL "com.redhat.component"="$NAME-container" \\',
      '      version=${VERSION} summary="$SUMMARY"',
      "LABEL maintainer Jane Doe <jane@example.com>",
    ]);
    expect(d.labels.map((l) => [l.key, l.value, l.line, l.column])).toEqual([
      ["com.redhat.component", "httpd-container", 6, 7],
      ["version", "1.2", 7, 7],
      ["summary", "Apache web server", 7, 26],
      ["maintainer", "Jane Doe <jane@example.com>", 8, 7],
    ]);
  });

  it("reads RUN in shell and exec form, with flags set aside", () => {
    const d = df([
      "FROM scratch",
      'RUN ["dnf", "-y", "install", "a"]',
      "RUN --mount=type=cache,target=/var/cache/dnf --network=none dnf -y install b",
    ]);
    expect(d.runs.map((r) => [r.form, r.text])).toEqual([
      ["exec", "dnf -y install a"],
      ["shell", "dnf -y install b"],
    ]);
    expect(d.runs[1]?.positionAt(0)).toEqual({ line: 3, column: 61 });
    expect(d.runs[1]?.flags).toEqual(["--mount=type=cache,target=/var/cache/dnf", "--network=none"]);
  });

  it("reads the RUN of an ONBUILD trigger as a RUN, flags and positions included; other triggers are not RUNs", () => {
    const d = df(["FROM scratch", "ONBUILD COPY . /src", "ONBUILD  run --mount=type=tmpfs,target=/tmp make -C /src", "RUN true"]);
    expect(d.runs.map((r) => [r.onbuild, r.instruction.keyword, r.text, r.flags])).toEqual([
      [true, "ONBUILD", "make -C /src", ["--mount=type=tmpfs,target=/tmp"]],
      [false, "RUN", "true", []],
    ]);
    expect(d.runs[0]?.positionAt(0)).toEqual({ line: 3, column: 45 });
  });

  it("ignores a line holding only a line continuation, as Docker does", () => {
    const d = df(["FROM registry.fedoraproject.org/fedora:41", "# a comment", " \\", "RUN dnf -y install a && \\", "    dnf clean all"]);
    expect(d.problems).toEqual([]);
    expect(d.instructions.map((i) => [i.keyword, i.line])).toEqual([
      ["FROM", 1],
      ["RUN", 4],
    ]);
  });

  it("honours the escape directive", () => {
    const d = parseDockerfile("# escape=`\nFROM scratch\nRUN echo a `\n  b\n");
    expect(d.runs[0]?.text).toBe("echo a   b");
  });

  it("reads flibs-ignore comments and their target instruction", () => {
    const d = df([
      "FROM scratch",
      "# flibs-ignore add-url,user-root we vendor it later",
      "# another comment",
      "ADD https://example.com/x /x",
    ]);
    expect(d.ignores).toEqual([
      expect.objectContaining({
        rules: ["add-url", "user-root"],
        reason: "we vendor it later",
        line: 2,
        column: 1,
        target: expect.objectContaining({ line: 4 }),
      }),
    ]);
  });

  it("never throws on odd input", () => {
    for (const text of [
      "\\",
      "FROM",
      "RUN [",
      "LABEL =",
      "FROM a AS",
      "\u0000\uffff",
      "ONBUILD",
      "ARG =x",
      "\r\n\r\n",
      "FROM a\nRUN <<EOF\nx\nEOF\n",
    ]) {
      expect(() => parseDockerfile(text)).not.toThrow();
    }
  });
});

describe("image names", () => {
  it("expands Docker Hub short names and keeps hosts, ports, tags and digests apart", () => {
    expect(parseImageName("fedora")).toEqual({ registry: "docker.io", repository: "library/fedora", tag: undefined, digest: undefined });
    expect(parseImageName("localhost:5000/a/b:1.0")).toMatchObject({ registry: "localhost:5000", repository: "a/b", tag: "1.0" });
    expect(parseImageName(`quay.io/fedora/fedora@sha256:${"0".repeat(64)}`)).toMatchObject({
      registry: "quay.io",
      digest: `sha256:${"0".repeat(64)}`,
    });
    expect(parseImageName("Not A Ref")).toBeUndefined();
  });
  it("matches approved prefixes by whole path segments", () => {
    const img = parseImageName("quay.io/fedora/fedora:41");
    expect(img && imageUnder(img, "quay.io/fedora")).toBe(true);
    expect(img && imageUnder(img, "quay.io/fed")).toBe(false);
    expect(img && imageUnder(img, "quay.io/")).toBe(true);
  });
  it("substitutes like Docker", () => {
    const vars = new Map([
      ["A", "1"],
      ["E", ""],
    ]);
    expect(substitute("$A ${A} ${B:-x} ${A:+y} ${E:-z} \\$A $", vars)).toEqual({ value: "1 1 x y z $A $", unresolved: [] });
    expect(substitute("$B", vars).unresolved).toEqual(["B"]);
  });
});
