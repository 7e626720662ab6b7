import { describe, expect, it } from "vitest";
import { GOOD, at, hits } from "../helpers.js";

const run = (...lines: string[]) => hits("dnf-assume-yes", [...GOOD, ...lines]);

describe("dnf-assume-yes", () => {
  it("reports install/update/remove without -y, at the command, across continuation lines", () => {
    const fs = run("RUN dnf -y install a && \\", "    yum update && \\", "    microdnf remove b");
    expect(at(fs)).toEqual(["5:5", "6:5"]);
    expect(fs[0]?.message).toBe("`yum update` without `-y` stops at the confirmation prompt and fails the build");
  });
  it("accepts -y anywhere, --assumeyes, combined short flags and --setopt=assumeyes", () => {
    expect(run("RUN dnf install -y a", "RUN dnf --assumeyes install a", "RUN dnf -qy install a", "RUN dnf --setopt=assumeyes=True install a")).toEqual([]);
  });
  it("ignores read-only subcommands and group/module reads", () => {
    expect(run("RUN dnf clean all", "RUN dnf makecache", "RUN dnf info bash && dnf group list && dnf module list")).toEqual([]);
    expect(at(run("RUN dnf module enable nodejs:20"))).toEqual(["4:5"]);
  });
  it("reads the exec form and wrappers (sudo, env assignments)", () => {
    expect(at(run('RUN ["dnf", "install", "a"]'))).toEqual(["4:5"]);
    expect(at(run("RUN LANG=C sudo dnf install a"))).toEqual(["4:17"]);
  });
  it("ignores words that merely contain dnf", () => {
    expect(run("RUN echo dnf install a", "RUN /usr/bin/dnf-automatic install")).toEqual([]);
  });
});
