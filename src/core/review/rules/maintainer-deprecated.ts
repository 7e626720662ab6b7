import type { Rule } from "../types.js";

export const rule: Rule = {
  id: "maintainer-deprecated",
  severity: "warning",
  title: "`MAINTAINER` is deprecated",
  doc:
    "The MAINTAINER instruction is deprecated by Docker and ignored by tools that read labels. Use " +
    "`LABEL maintainer=\"Name <email>\"`, which the Fedora guidelines require anyway.",
  check: ({ dockerfile }) =>
    dockerfile.instructions
      .filter((i) => i.keyword === "MAINTAINER")
      .map((i) => ({ line: i.line, column: i.column, message: "MAINTAINER is deprecated: use `LABEL maintainer=\"...\"`" })),
};
