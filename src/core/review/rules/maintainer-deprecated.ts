import type { Rule } from "../types.js";

export const rule: Rule = {
  id: "maintainer-deprecated",
  severity: "warning",
  title: "`MAINTAINER` is deprecated",
  doc:
    "The MAINTAINER instruction is deprecated by Docker and ignored by tools that read labels. Use " +
    '`LABEL maintainer="Name <email>"`, which the Fedora guidelines require anyway.',
  fix: 'Replace `MAINTAINER Name <email>` with `LABEL maintainer="Name <email>"`.',
  example: {
    file: "Dockerfile",
    bad: "FROM registry.fedoraproject.org/fedora:41\nMAINTAINER Jane Doe <jane@example.com>\n",
    good: 'FROM registry.fedoraproject.org/fedora:41\nLABEL maintainer="Jane Doe <jane@example.com>"\n',
  },
  peer: {
    rules: ["DL4000"],
    differences: [],
  },
  check: ({ dockerfile }) =>
    dockerfile.instructions
      .filter((i) => i.keyword === "MAINTAINER")
      .map((i) => ({ line: i.line, column: i.column, message: 'MAINTAINER is deprecated: use `LABEL maintainer="..."`' })),
};
