import { describe, expect, it } from "vitest";
import { GOOD, at, hits } from "../helpers.js";

const run = (...lines: string[]) => hits("build-time-repo", [...GOOD, ...lines]);

describe("build-time-repo", () => {
  it("reports config-manager --add-repo (dnf4 and dnf5 forms), copr and --repofrompath", () => {
    expect(at(run("RUN dnf -y install dnf-plugins-core && dnf config-manager --add-repo https://example.com/x.repo"))).toEqual(["4:40"]);
    expect(run("RUN dnf5 config-manager addrepo --from-repofile=https://example.com/x.repo")).toHaveLength(1);
    expect(run("RUN dnf -y copr enable someone/project")).toHaveLength(1);
    expect(run("RUN dnf -y --repofrompath=x,https://example.com/repo install a")).toHaveLength(1);
  });
  it("reports writing, downloading or copying repo files", () => {
    expect(run("RUN curl -o /etc/yum.repos.d/x.repo https://example.com/x.repo")).toHaveLength(1);
    expect(run("RUN curl -sL https://example.com/x > /tmp/x.repo")).toHaveLength(1);
    expect(run("RUN echo '[x]' | tee /etc/yum.repos.d/x.repo")).toHaveLength(1);
    expect(at(run("COPY extra.repo /etc/yum.repos.d/"))).toEqual(["4:1"]);
  });
  it("accepts enabling an existing repo and removing repo files", () => {
    expect(run("RUN dnf config-manager --set-enabled crb", "RUN rm -f /etc/yum.repos.d/*testing*.repo")).toEqual([]);
  });
});
