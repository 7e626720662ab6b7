import { describe, expect, it } from "vitest";
import { GOOD, at, hits } from "../helpers.js";

const run = (...lines: string[]) => hits("dnf-clean-all", [...GOOD, ...lines]);

/**
 * Each point of the rule, reported (true) and accepted (false). dnf5 (Fedora 41 and later) keeps its cache in
 * /var/cache/libdnf5, dnf 4 in /var/cache/dnf, yum and microdnf in /var/cache/yum; dnf's command aliases
 * are those of `dnf5 --help` and dnf 4's `dnf help` (in, up, up-min, rei, ...).
 */
const CASES: Array<[string, string, boolean]> = [
  ["install without clean", "RUN dnf -y install httpd", true],
  ["install then clean all", "RUN dnf -y install httpd && dnf clean all", false],
  ["dnf5 by name, without clean", "RUN dnf5 -y install httpd", true],
  ["dnf5 cache removed after the install", "RUN dnf -y install httpd && rm -rf /var/cache/libdnf5", false],
  ["dnf5 cache contents removed", "RUN dnf -y install httpd && rm -rf /var/cache/libdnf5/*", false],
  ["dnf 4 cache removed", "RUN dnf -y install httpd && rm -rf /var/cache/dnf", false],
  ["all of /var/cache removed", "RUN dnf -y install httpd && rm -rf /var/cache/*", false],
  ["another directory removed", "RUN dnf -y install httpd && rm -rf /tmp/*", true],
  ["cache mount on the dnf5 cache", "RUN --mount=type=cache,target=/var/cache/libdnf5 dnf -y install httpd", false],
  ["tmpfs mount on the dnf5 cache", "RUN --mount=type=tmpfs,target=/var/cache/libdnf5 dnf -y install httpd", false],
  ["cache mount on the dnf 4 cache, dst= spelling", "RUN --mount=type=cache,dst=/var/cache/dnf,sharing=locked dnf -y install httpd", false],
  ["cache mount elsewhere (pip)", "RUN --mount=type=cache,target=/root/.cache/pip dnf -y install python3-pip", true],
  ["bind mount (the default type) on the cache", "RUN --mount=target=/var/cache/libdnf5 dnf -y install httpd", true],
  ["clean before the install", "RUN dnf clean all && dnf -y install httpd", true],
  ["cache removed before the install", "RUN rm -rf /var/cache/libdnf5 && dnf -y install httpd", true],
  ["clean before and after", "RUN dnf clean all && dnf -y install httpd && dnf clean all", false],
  ["a second install after the clean", "RUN dnf -y install httpd && dnf clean all && dnf -y install mod_ssl", true],
  ["in", "RUN dnf -y in vim-enhanced", true],
  ["in, cleaned", "RUN dnf -y in vim-enhanced && dnf clean all", false],
  ["up", "RUN dnf -y up", true],
  ["up, cleaned", "RUN dnf -y up && dnf clean all", false],
  ["upgrade", "RUN dnf -y upgrade", true],
  ["upgrade, cleaned", "RUN dnf -y upgrade && dnf clean all", false],
  ["up-min", "RUN dnf -y up-min --security", true],
  ["up-min, cleaned", "RUN dnf -y up-min --security && dnf clean all", false],
  ["upgrade-minimal", "RUN dnf -y upgrade-minimal", true],
  ["upgrade-minimal, cleaned", "RUN dnf -y upgrade-minimal && dnf clean all", false],
  ["rei", "RUN dnf -y rei tzdata", true],
  ["rei, cleaned", "RUN dnf -y rei tzdata && dnf clean all", false],
  ["reinstall", "RUN dnf -y reinstall tzdata", true],
  ["reinstall, cleaned", "RUN dnf -y reinstall tzdata && dnf clean all", false],
  ["update", "RUN dnf -y update", true],
  ["remove only (downloads nothing)", "RUN dnf -y remove vim-minimal", false],
  ["ONBUILD RUN without clean", "ONBUILD RUN dnf -y install python3-devel", true],
  ["ONBUILD RUN, cleaned", "ONBUILD RUN dnf -y install python3-devel && dnf clean all", false],
  ["install inside if/then", 'RUN if [ "$(uname -m)" = x86_64 ]; then dnf -y install intel-gpu-tools; fi', true],
  ["install inside if/then, cleaned", 'RUN if [ "$(uname -m)" = x86_64 ]; then dnf -y install intel-gpu-tools; fi && dnf clean all', false],
  ["install with an option value before the subcommand", "RUN dnf --releasever 41 -y install httpd", true],
  ["yum install, yum clean all", "RUN yum -y install httpd && yum clean all", false],
  ["yum install, yum cache removed", "RUN yum -y install httpd && rm -rf /var/cache/yum", false],
  ["microdnf install without clean", "RUN microdnf -y install nginx", true],
  ["microdnf install, microdnf clean all", "RUN microdnf -y install nginx && microdnf clean all", false],
];

describe("dnf-clean-all", () => {
  it.each(CASES)("%s: %s", (_name, line, reported) => {
    expect(run(line).length > 0).toBe(reported);
  });

  it("reports at the last install the cache is left from", () => {
    const fs = run("RUN dnf -y install httpd && dnf clean all && dnf -y install mod_ssl", "RUN dnf clean all");
    expect(at(fs)).toEqual(["4:46"]);
    expect(fs[0]?.severity).toBe("warning");
    expect(fs[0]?.message).toBe("`dnf install` without `dnf clean all` after it in the same RUN leaves the package cache in the image");
  });

  it("reports an ONBUILD RUN at its command", () => {
    expect(at(run("ONBUILD RUN dnf -y install python3-devel"))).toEqual(["4:13"]);
  });

  it("only checks stages that reach the final image", () => {
    const lines = ["FROM registry.fedoraproject.org/fedora:41 AS build", "RUN dnf -y install gcc", ...GOOD, "COPY --from=build /out /out"];
    expect(hits("dnf-clean-all", lines)).toEqual([]);
    const chained = ["FROM registry.fedoraproject.org/fedora:41 AS base", "RUN dnf -y install gcc", "FROM base", "USER 1001"];
    expect(at(hits("dnf-clean-all", chained))).toEqual(["2:5"]);
  });
});
