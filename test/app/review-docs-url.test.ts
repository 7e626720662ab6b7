import { afterEach, describe, expect, test } from "vitest";
import { summarize } from "../../src/core/findings.js";
import { docsUrlFrom } from "../../src/app/scope.js";
import { reviewCheckOutput } from "../../src/core/report/review-check.js";
import { links } from "../helpers/markdown.js";

const findings = [{ rule: "add-url", severity: "error" as const, file: "Dockerfile", line: 3, column: 5, message: "m" }];
const saved = process.env.FLIBS_DOCS_URL;
afterEach(() => {
  if (saved === undefined) delete process.env.FLIBS_DOCS_URL;
  else process.env.FLIBS_DOCS_URL = saved;
});

describe("the App's flibs/review check", () => {
  test("links rules to the reference named by FLIBS_DOCS_URL", () => {
    process.env.FLIBS_DOCS_URL = "https://github.com/acme/flibs/blob/v2/README.md";
    const docsUrl = docsUrlFrom(process.env);
    const out = reviewCheckOutput(
      { findings, summary: summarize(findings, ["Dockerfile"]) },
      { sha: "a".repeat(40), ...(docsUrl ? { docsUrl } : {}) },
    );
    expect(links(out.summary).map((l) => l.url)).toEqual(["https://github.com/acme/flibs/blob/v2/README.md#rule-add-url"]);
  });
});
