import { describe, expect, it } from "vitest";
import { review } from "../../../../src/core/review/index.js";
import { GOOD, at, hits } from "../helpers.js";

describe("ignore-comment", () => {
  it("suppresses the named rule on the next instruction, with a reason", () => {
    const text = [...GOOD, "# flibs-ignore add-local-file the config is a single file on purpose", "ADD app.conf /etc/"].join("\n");
    const r = review({ dockerfile: { path: "Dockerfile", text } });
    expect(r.findings.filter((f) => f.rule === "add-local-file")).toEqual([]);
    expect(r.summary.suppressed).toBe(1);
  });
  it("does not suppress other rules or other instructions", () => {
    const lines = [...GOOD, "# flibs-ignore add-url vendored later", "ADD app.conf /etc/", "ADD other.conf /etc/"];
    expect(at(hits("add-local-file", lines))).toEqual(["5:1", "6:1"]);
  });
  it("takes several ids, and works above a multi-line instruction", () => {
    const lines = [...GOOD, "# flibs-ignore dnf-assume-yes,dnf-clean-all legacy build", "RUN true && \\", "    dnf install a"];
    expect(hits("dnf-assume-yes", lines)).toEqual([]);
    expect(hits("dnf-clean-all", lines)).toEqual([]);
  });
  it("reports an ignore without reason, which then suppresses nothing", () => {
    const lines = [...GOOD, "# flibs-ignore add-local-file", "ADD app.conf /etc/"];
    expect(hits("ignore-comment", lines).map((f) => f.message)).toEqual([
      "`# flibs-ignore add-local-file` gives no reason, so it suppresses nothing",
    ]);
    expect(at(hits("add-local-file", lines))).toEqual(["5:1"]);
  });
  it("reports an unknown rule id, a missing id, and an ignore with nothing after it", () => {
    const lines = [
      ...GOOD,
      "# flibs-ignore no-such-rule because",
      "RUN true",
      "# flibs-ignore",
      "RUN true",
      "# flibs-ignore user-root at the end",
    ];
    expect(hits("ignore-comment", lines).map((f) => `${f.line}: ${f.message}`)).toEqual([
      "4: `# flibs-ignore` names unknown rule `no-such-rule`",
      "6: `# flibs-ignore` names no rule: write `# flibs-ignore RULE-ID reason`",
      "8: `# flibs-ignore` has no instruction after it",
    ]);
  });
  it("cannot waive what the organisation's policy keeps: approved bases, required labels, signatures, piped downloads", () => {
    const text = ["# flibs-ignore base-image-registry our own mirror", "FROM docker.io/library/busybox:1.36", ...GOOD.slice(1)].join("\n");
    const r = review({ dockerfile: { path: "Dockerfile", text } });
    expect(r.findings.filter((f) => f.rule === "base-image-registry")).toHaveLength(1);
    expect(r.summary.suppressed).toBe(0);
    expect(r.findings.find((f) => f.rule === "ignore-comment")?.message).toContain("does not let a repository waive base-image-registry");
  });
  it("lets the policy decide which rules a repository may waive", async () => {
    const { parsePolicy } = await import("../../../../src/core/config/index.js");
    const lenient = parsePolicy({ not_ignorable: [] });
    if (!lenient.ok) throw new Error(lenient.message);
    const text = ["# flibs-ignore base-image-registry our own mirror", "FROM docker.io/library/busybox:1.36", ...GOOD.slice(1)].join("\n");
    const r = review({ dockerfile: { path: "Dockerfile", text }, policy: lenient.value });
    expect(r.findings.filter((f) => f.rule === "base-image-registry")).toEqual([]);
    expect(r.summary.suppressed).toBe(1);
  });
});
