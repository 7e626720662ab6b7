import { describe, expect, it } from "vitest";
import { GOOD, at, hits } from "../helpers.js";

const run = (...lines: string[]) => hits("dnf-clean-all", [...GOOD, ...lines]);

describe("dnf-clean-all", () => {
  it("reports an install without clean all in the same RUN, at the install", () => {
    const fs = run("RUN dnf -y install httpd", "RUN dnf clean all");
    expect(at(fs)).toEqual(["4:5"]);
    expect(fs[0]?.severity).toBe("warning");
  });
  it("accepts clean all, removing the cache directory, or a cache mount", () => {
    expect(run("RUN dnf -y install a && dnf clean all")).toEqual([]);
    expect(run("RUN yum -y install a && yum -y clean all")).toEqual([]);
    expect(run("RUN dnf -y install a && rm -rf /var/cache/dnf")).toEqual([]);
    expect(run("RUN --mount=type=cache,target=/var/cache/dnf dnf -y install a")).toEqual([]);
  });
  it("only checks stages that reach the final image", () => {
    const lines = ["FROM registry.fedoraproject.org/fedora:41 AS build", "RUN dnf -y install gcc", ...GOOD, "COPY --from=build /out /out"];
    expect(hits("dnf-clean-all", lines)).toEqual([]);
    const chained = ["FROM registry.fedoraproject.org/fedora:41 AS base", "RUN dnf -y install gcc", "FROM base", "USER 1001"];
    expect(at(hits("dnf-clean-all", chained))).toEqual(["2:5"]);
  });
});
