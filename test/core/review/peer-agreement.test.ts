import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { review } from "../../../src/core/review/index.js";
import { RULE_PAGES } from "../../../src/core/review/engine.js";

/**
 * flibs against hadolint on the held-out suite test/fixtures/review/peer-suite: for each case, does flibs
 * report the rule that makes the same check exactly when hadolint does? The peer verdicts come from
 * hadolint 2.15.1's rule sources and specs (cited per case in verdicts.yaml).
 */
const SUITE = join(import.meta.dirname, "..", "..", "fixtures", "review", "peer-suite");

interface Case {
  id: string;
  rule: string;
  peer: string[];
  why: string;
}
const table = parse(readFileSync(join(SUITE, "verdicts.yaml"), "utf8")) as { checks: Record<string, string[]>; cases: Case[] };

/** Where flibs and hadolint differ on purpose; each is explained in the rule's page (`flibs review --explain`). */
const DELIBERATE: Record<string, string> = {
  "tag-arg-image-untagged-default": "flibs reads the ARG default: the base is untagged; hadolint skips any image starting with `$`",
  "add-tar-zst": "ADD unpacks zstd archives (Docker and Buildah detect zstd); hadolint's archive list has no `.zst`",
  "user-builder-root-final-uid": "flibs judges the user the image runs as (the final stage's); hadolint judges every stage",
  "yes-in-missing": "`dnf in` prompts like `dnf install`; hadolint checks -y for install, groupinstall and localinstall only",
  "clean-cache-mount-dnf": "/var/cache/dnf is dnf 4's cache (CentOS Stream 9); hadolint accepts mounts on libdnf5 only",
  "clean-update": "`dnf update` downloads packages like `dnf upgrade`; hadolint's list has upgrade but not update",
  "clean-builder-stage": "a builder stage's cache never reaches the image; hadolint checks every stage",
};

const verdicts = table.cases.map((c) => {
  const text = readFileSync(join(SUITE, "cases", `${c.id}.Dockerfile`), "utf8");
  const flibs = review({ dockerfile: { path: "Dockerfile", text } }).findings.some((f) => f.rule === c.rule);
  return { ...c, flibs, agrees: flibs === c.peer.length > 0 };
});
const agreed = verdicts.filter((v) => v.agrees).length;
const figure = `${agreed}/${verdicts.length} (${((100 * agreed) / verdicts.length).toFixed(1)}%)`;

describe("agreement with hadolint on the peer suite", () => {
  it("has one Dockerfile per case, and only peer rules of the check the case is about", () => {
    const files = readdirSync(join(SUITE, "cases")).map((f) => f.replace(/\.Dockerfile$/, ""));
    expect(files.sort()).toEqual(table.cases.map((c) => c.id).sort());
    expect(new Set(table.cases.map((c) => c.id)).size).toBe(table.cases.length);
    for (const c of table.cases) {
      expect(Object.keys(table.checks), c.id).toContain(c.rule);
      for (const p of c.peer) expect(table.checks[c.rule], c.id).toContain(p);
    }
    expect(table.cases.length).toBeGreaterThanOrEqual(80);
  });

  it(`agrees on at least 95% of the cases: ${figure}`, () => {
    expect(agreed / verdicts.length).toBeGreaterThanOrEqual(0.95);
  });

  it("is the figure the README gives", () => {
    const readme = readFileSync(join(import.meta.dirname, "..", "..", "..", "README.md"), "utf8");
    expect(readme).toContain(`(${agreed} of ${verdicts.length};`);
  });

  it("differs exactly on the deliberate cases", () => {
    const differing = verdicts.filter((v) => !v.agrees);
    const detail = differing.map(
      (v) => `${v.id}: flibs ${v.flibs ? "reports" : "accepts"} ${v.rule}, hadolint ${v.peer.join(", ") || "accepts"}`,
    );
    expect(differing.map((v) => v.id).sort(), detail.join("\n")).toEqual(Object.keys(DELIBERATE).sort());
  });

  it("documents each deliberate difference in the page of the rule concerned, naming hadolint's rules", () => {
    for (const id of Object.keys(DELIBERATE)) {
      const c = table.cases.find((x) => x.id === id);
      const page = RULE_PAGES.find((r) => r.id === c?.rule);
      expect(page?.peer?.differences.length, id).toBeGreaterThan(0);
      expect(page?.peer?.rules.sort(), id).toEqual([...(table.checks[c?.rule ?? ""] ?? [])].sort());
    }
  });
});
