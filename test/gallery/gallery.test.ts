import { describe, expect, it } from "vitest";
import { ansiToHtml } from "../../gallery/ansi.js";
import { page, scenarioHtml } from "../../gallery/render.js";
import { SCENARIOS } from "../../gallery/scenarios/index.js";
import type { Screen } from "../../gallery/types.js";
import { codeSpans, readerProblems, textOutsideCode } from "../helpers/markdown.js";

/**
 * Every screen of the gallery (npm run gallery), read as GitHub renders it: code spans hold exactly what a
 * maintainer copies, no entity, backslash or zero-width character shows, nothing live by accident, and every
 * table has as many cells per row as its header. Chromium is not needed: the PNGs are for people.
 */
const all: Array<[string, Screen]> = [];
for (const s of SCENARIOS) for (const screen of await s.screens()) all.push([`${s.id}: ${screen.title}`, screen]);

describe("gallery screens", () => {
  it("has the review scenarios: clean, findings, 300 findings, invalid config, unreadable policy, and a terminal", () => {
    expect(SCENARIOS.map((s) => s.id)).toEqual(
      expect.arrayContaining(["review-clean", "review-300-findings", "review-invalid-config", "review-policy-unreadable"]),
    );
    expect(all.some(([, s]) => s.kind === "terminal")).toBe(true);
    expect(new Set(SCENARIOS.map((s) => s.id)).size).toBe(SCENARIOS.length);
    for (const s of SCENARIOS) expect(s.id).toMatch(/^[a-z0-9-]+$/);
  });

  it("has the job summaries: build success, failed RUN, failed image test, publish drift (warn, fail), promote signed and unsigned", () => {
    expect(SCENARIOS.map((s) => s.id)).toEqual(
      expect.arrayContaining([
        "job-summary-build-success",
        "job-summary-build-failed-run",
        "job-summary-build-failed-test",
        "job-summary-publish-drift",
        "job-summary-promote",
      ]),
    );
    const summaries = all.filter(([, s]) => s.kind === "job-summary");
    expect(summaries.length).toBeGreaterThanOrEqual(8);
  });

  it.each(all.filter(([, s]) => s.kind !== "terminal"))(
    "%s reads as typed, carries nothing live and has well-formed tables",
    (_, screen) => {
      if (screen.kind === "terminal") return;
      expect(readerProblems(screen.markdown, { links: screen.links ?? [], markers: true })).toEqual([]);
      const spans = codeSpans(screen.markdown);
      for (const value of screen.copyable ?? []) expect(spans, value).toContain(value);
      // flibs quotes values in backticks; shown as text, one would be a code span that did not form.
      expect(textOutsideCode(screen.markdown)).not.toContain("`");
      expect(screen.markdown.length).toBeLessThanOrEqual(65_535);
    },
  );

  it.each(all.filter(([, s]) => s.kind === "terminal"))(
    "%s holds only text and colour escapes, and converts to HTML without them",
    (_, screen) => {
      if (screen.kind !== "terminal") return;
      const plain = screen.text.replace(/\u001b\[[0-9;]*m/g, "");
      expect(plain).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
      expect(ansiToHtml(screen.text)).not.toContain("\u001b");
    },
  );

  it("renders one page with a heading per scenario and a box per screen", async () => {
    const sections = await Promise.all(SCENARIOS.map(async (s) => scenarioHtml(s, await s.screens())));
    const html = page("flibs: every screen", sections);
    for (const s of SCENARIOS) expect(html).toContain(`<section class="scenario" id="${s.id}">`);
    expect(html.match(/<div class="screen">/g)).toHaveLength(all.length);
    expect(html).toContain(".markdown-body");
  });
});
