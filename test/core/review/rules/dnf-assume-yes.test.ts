import { describe, expect, it } from "vitest";
import { GOOD, at, hits } from "../helpers.js";

const run = (...lines: string[]) => hits("dnf-assume-yes", [...GOOD, ...lines]);

/** Each package-changing form, without -y (reported) and with it (accepted). */
const CASES: Array<[string, string, boolean]> = [
  ["install", "RUN dnf install httpd", true],
  ["install -y", "RUN dnf install -y httpd", false],
  ["in", "RUN dnf in vim-enhanced", true],
  ["in -y", "RUN dnf in -y vim-enhanced", false],
  ["up", "RUN dnf up", true],
  ["up -y", "RUN dnf -y up", false],
  ["upgrade", "RUN dnf upgrade", true],
  ["upgrade -y", "RUN dnf upgrade -y", false],
  ["up-min", "RUN dnf up-min --security", true],
  ["up-min -y", "RUN dnf -y up-min --security", false],
  ["upgrade-minimal", "RUN dnf upgrade-minimal", true],
  ["upgrade-minimal -y", "RUN dnf upgrade-minimal --assumeyes", false],
  ["rei", "RUN dnf rei tzdata", true],
  ["rei -y", "RUN dnf -y rei tzdata", false],
  ["reinstall", "RUN dnf reinstall tzdata", true],
  ["reinstall -y", "RUN dnf -y reinstall tzdata", false],
  ["rm (remove)", "RUN dnf rm vim-minimal", true],
  ["rm -y", "RUN dnf -y rm vim-minimal", false],
  ["dnf5 by name", "RUN dnf5 install httpd", true],
  ["dnf5 -y", "RUN dnf5 -y install httpd", false],
  ["ONBUILD RUN", "ONBUILD RUN dnf install python3-devel", true],
  ["ONBUILD RUN -y", "ONBUILD RUN dnf -y install python3-devel", false],
  ["inside if/then", 'RUN if [ -n "$DEV" ]; then dnf install gdb; fi', true],
  ["inside if/then -y", 'RUN if [ -n "$DEV" ]; then dnf -y install gdb; fi', false],
  ["inside a for loop", "RUN for p in a b; do dnf install $p; done", true],
  ["option value before the subcommand", "RUN dnf --installroot /mnt/sysroot --releasever 41 install bash", true],
  ["option value before the subcommand, -y", "RUN dnf --installroot /mnt/sysroot --releasever 41 -y install bash", false],
];

describe("dnf-assume-yes", () => {
  it.each(CASES)("%s: %s", (_name, line, reported) => {
    expect(run(line).length > 0).toBe(reported);
  });
  it("reports install/update/remove without -y, at the command, across continuation lines", () => {
    const fs = run("RUN dnf -y install a && \\", "    yum update && \\", "    microdnf remove b");
    expect(at(fs)).toEqual(["5:5", "6:5"]);
    expect(fs[0]?.message).toBe("`yum update` without `-y` stops at the confirmation prompt and fails the build");
  });
  it("reports an ONBUILD RUN at its command", () => {
    expect(at(run("ONBUILD RUN dnf install a"))).toEqual(["4:13"]);
  });
  it("accepts -y anywhere, --assumeyes, combined short flags and --setopt=assumeyes", () => {
    expect(
      run("RUN dnf install -y a", "RUN dnf --assumeyes install a", "RUN dnf -qy install a", "RUN dnf --setopt=assumeyes=True install a"),
    ).toEqual([]);
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
