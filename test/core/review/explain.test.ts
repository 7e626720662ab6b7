import { describe, expect, it } from "vitest";
import { RULE_PAGES, dockerfilePath, explainRule, review, unknownRuleMessage } from "../../../src/core/review/index.js";
import { GOOD } from "./helpers.js";

const GOOD_DOCKERFILE = `${GOOD.join("\n")}\n`;

/** Reviews an example as a repository holding it would be reviewed, and says whether its rule reports it. */
function reports(rule: string, example: { file: string; bad: string; good: string }, which: "bad" | "good"): boolean {
  const text = example[which];
  const input =
    example.file === "Dockerfile"
      ? { dockerfile: { path: "Dockerfile", text } }
      : {
          containerYaml: { path: "container.yaml", text },
          // As the front ends do: the Dockerfile is found where container.yaml says, and only this one exists.
          ...(dockerfilePath(text) === "Dockerfile" ? { dockerfile: { path: "Dockerfile", text: GOOD_DOCKERFILE } } : {}),
        };
  return review(input).findings.some((f) => f.rule === rule);
}

describe("rule pages", () => {
  it("every rule says how to fix it, and every rule but `internal` shows an example", () => {
    for (const r of RULE_PAGES) {
      expect(r.fix.length, r.id).toBeGreaterThan(20);
      if (r.id !== "internal") expect(r.example, r.id).toBeDefined();
    }
  });

  it.each(RULE_PAGES.filter((r) => r.example).map((r) => [r.id, r] as const))(
    "%s: the bad example is reported, the good one is not",
    (id, r) => {
      const example = r.example as NonNullable<typeof r.example>;
      expect(reports(id, example, "bad")).toBe(true);
      expect(reports(id, example, "good")).toBe(false);
    },
  );

  it("prints what, why, how to fix, the example and the peer linter's rules with each deliberate difference", () => {
    const page = explainRule("user-root") ?? "";
    const lines = page.split("\n");
    expect(lines[0]).toBe("user-root (error): The image does not run as root");
    expect(page).toContain("\nHow to fix:\n  End the final stage with an unprivileged USER: `USER 1001`");
    expect(page).toContain("\nBad:\n    FROM registry.fedoraproject.org/fedora:41\n    USER root\n");
    expect(page).toContain(
      "\nGood:\n    FROM registry.fedoraproject.org/fedora:41\n    USER root\n    RUN dnf -y install httpd && dnf clean all\n    USER 1001\n",
    );
    expect(page).toContain("hadolint: DL3002. Where flibs differs, on purpose:\n  - Only the user the image runs as counts");
    expect(page).toContain("`# flibs-ignore user-root <reason>`");
  });

  it("wraps every page's prose at 80 columns, never inside a code span", () => {
    for (const r of RULE_PAGES) {
      const example = new Set(`${r.example?.bad ?? ""}${r.example?.good ?? ""}`.split("\n").map((l) => `    ${l}`));
      for (const l of (explainRule(r.id) ?? "").split("\n").filter((x) => !example.has(x))) {
        expect(l.length, `${r.id}: ${l}`).toBeLessThanOrEqual(80);
        expect((l.match(/`/g) ?? []).length % 2, `${r.id}: ${l}`).toBe(0);
      }
    }
  });

  it("names the file of a container.yaml example and leaves out the ignore comment where it cannot apply", () => {
    const page = explainRule("config-schema") ?? "";
    expect(page).toContain("\nBad (container.yaml):\n    image: my-image\n");
    expect(page).not.toContain("flibs-ignore");
    expect(explainRule("maintainer-deprecated")).toContain("hadolint: DL4000. Same verdicts.");
  });

  it("finds a rule whatever its case, and answers an unknown one with the closest id and the list", () => {
    expect(explainRule("  DNF-Clean-All ")).toBe(explainRule("dnf-clean-all"));
    expect(explainRule("dnf-clean")).toBeUndefined();
    expect(unknownRuleMessage("dnf-clean")).toMatch(
      /^unknown rule `dnf-clean` \(did you mean `dnf-clean-all`\?\); known rules: dockerfile-missing, dockerfile-parse, .*, internal$/,
    );
    expect(unknownRuleMessage("usr-rot")).toContain("did you mean `user-root`?");
    expect(unknownRuleMessage("dl3002")).toContain("(hadolint's DL3002 is flibs' `user-root`)");
    expect(unknownRuleMessage("DL3040")).toContain("`dnf-clean-all`");
  });
});
