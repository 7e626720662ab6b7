import { CONFIG_SYNTAX_RULE } from "../../config/index.js";
import type { Rule } from "../types.js";

export const rule: Rule = {
  id: CONFIG_SYNTAX_RULE,
  severity: "error",
  title: "container.yaml is valid YAML",
  doc: "`container.yaml` must parse as YAML (one document, unique keys). The finding points at the line and column the YAML parser stopped at. Nothing else in the file is checked until it parses.",
  fix: "Fix the YAML at the line and column given: an unclosed bracket or quote, a tab used for indentation, or a key written twice.",
  example: {
    file: "container.yaml",
    bad: "image: my-image\nplatforms:\n  not: [s390x\n",
    good: "image: my-image\nplatforms:\n  not: [s390x]\n",
  },
  // The findings come from parseContainerConfig, which knows the YAML lines; this rule carries them.
  check: ({ configFindings }) =>
    configFindings
      .filter((f) => f.rule === CONFIG_SYNTAX_RULE)
      .map((f) => ({ file: f.file, line: f.line, column: f.column, message: f.message })),
};
