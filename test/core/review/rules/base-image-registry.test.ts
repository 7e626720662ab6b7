import { describe, expect, it } from "vitest";
import { at, hits } from "../helpers.js";

const only = (from: string[], policy?: { approved_base_registries: string[] }) =>
  hits("base-image-registry", [...from, "USER 1"], policy ? { policy } : {});

describe("base-image-registry", () => {
  it("accepts the default approved registries (host, and host/namespace prefix)", () => {
    expect(only(["FROM registry.fedoraproject.org/fedora:41"])).toEqual([]);
    expect(only(["FROM quay.io/fedora/fedora-minimal:41"])).toEqual([]);
  });
  it("rejects another namespace of an approved host prefix, and Docker Hub short names", () => {
    expect(at(only(["FROM quay.io/someone/fedora:41"]))).toEqual(["1:6"]);
    const hub = only(["FROM fedora:41"]);
    expect(hub[0]?.message).toMatch(/`docker\.io\/library\/fedora` is not from an approved registry/);
  });
  it("resolves Docker Hub names as Docker does when the policy approves docker.io", () => {
    expect(only(["FROM fedora:41"], { approved_base_registries: ["docker.io/library"] })).toEqual([]);
    expect(only(["FROM index.docker.io/library/fedora:41"], { approved_base_registries: ["docker.io"] })).toEqual([]);
    expect(only(["FROM localhost:5000/x:1"], { approved_base_registries: ["localhost:5000"] })).toEqual([]);
  });
  it("does not treat stage names or scratch as base images", () => {
    expect(
      only(["FROM registry.fedoraproject.org/fedora:41 AS Builder", "RUN true", "FROM builder", "FROM scratch", "COPY --from=0 / /"]),
    ).toEqual([]);
  });
  it("substitutes ARGs declared before FROM, and reports what it cannot resolve", () => {
    expect(only(["ARG BASE=registry.fedoraproject.org/fedora", "ARG TAG=41", "FROM ${BASE}:$TAG"])).toEqual([]);
    expect(at(only(["ARG BASE=docker.io/evil/x", "FROM --platform=$BUILDPLATFORM $BASE:1"]))).toEqual(["2:32"]);
    expect(only(["ARG BASE", "FROM $BASE"])[0]?.message).toMatch(/cannot check base image `\$BASE`: `BASE` has no default/);
  });
  it("takes container.yaml build_args over ARG defaults", () => {
    const fs = hits("base-image-registry", ["ARG BASE=registry.fedoraproject.org/fedora:41", "FROM $BASE"], {
      containerYaml: "build_args:\n  BASE: docker.io/other/image:2\n",
    });
    expect(fs[0]?.message).toMatch(/docker\.io\/other\/image/);
  });
  it("checks every stage of a multi-stage build", () => {
    expect(at(only(["FROM golang:1.22 AS build", "FROM registry.fedoraproject.org/fedora:41"]))).toEqual(["1:6"]);
  });
});

describe("base-image-registry: images pulled by COPY --from and RUN --mount", () => {
  it("checks them as it checks FROM, and leaves stages alone", async () => {
    const { hits, GOOD } = await import("../helpers.js");
    const lines = [
      ...GOOD,
      "COPY --from=docker.io/library/busybox:1.36 /bin/busybox /b",
      "RUN --mount=type=bind,from=quay.io/evil/tools:1,target=/t /t/x",
    ];
    expect(hits("base-image-registry", lines).map((f) => `${f.line}:${f.column} ${f.message}`)).toEqual([
      `${GOOD.length + 1}:13 image (COPY --from) \`docker.io/library/busybox\` is not from an approved registry (registry.fedoraproject.org, quay.io/fedora)`,
      `${GOOD.length + 2}:28 image (RUN --mount) \`quay.io/evil/tools\` is not from an approved registry (registry.fedoraproject.org, quay.io/fedora)`,
    ]);
  });
});
