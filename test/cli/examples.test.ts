/**
 * The example container repo the README's quick start builds: it must pass `flibs review` as it is (no
 * error and nothing to accept), plan the two arches the quick start names, and be what the README runs.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseContainerConfig, plannedArches, DEFAULT_POLICY } from "../../src/core/config/index.js";
import { flibs, ROOT } from "./run-flibs.js";

const EXAMPLE = join(ROOT, "examples", "httpd");

describe("examples/httpd", () => {
  it("passes flibs review with no finding at all", () => {
    const r = flibs(["review", "examples/httpd", "--format", "json"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const { findings, summary } = JSON.parse(r.stdout);
    expect(findings).toEqual([]);
    expect(summary.files).toEqual(["Dockerfile", "container.yaml"]);
  });

  it("is a Fedora image with tests, built for x86_64 and aarch64 under the default policy", () => {
    const parsed = parseContainerConfig(readFileSync(join(EXAMPLE, "container.yaml"), "utf8"));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.findings));
    expect(parsed.value.image).toBe("fedora/httpd");
    expect(parsed.value.tests.length).toBeGreaterThan(0);
    expect(plannedArches(parsed.value, DEFAULT_POLICY)).toEqual(["x86_64", "aarch64"]);
    expect(readFileSync(join(EXAMPLE, "Dockerfile"), "utf8")).toMatch(/^FROM registry\.fedoraproject\.org\/fedora:\d+$/m);
  });

  it("is what the README's first screen builds and inspects: what flibs is, setup, the quick start, then the App", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const sections = readme.split(/^## /m);
    expect(sections.slice(1, 4).map((s) => s.split("\n")[0])).toEqual(["Set up", "Try it", "How it works"]);
    // Fresh machines and CI run as root, often without sudo installed: the line works there as written.
    expect(sections[1]).toMatch(/^bash scripts\/setup-system\.sh /m);
    expect(sections[1]).not.toContain("sudo");
    expect(sections[1]).toContain("npm ci");
    expect(sections[2]).toContain("npx flibs build examples/httpd && npx flibs inspect oci:flibs-out/fedora/httpd\n");
  });
});
