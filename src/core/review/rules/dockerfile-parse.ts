import type { Rule } from "../types.js";

export const rule: Rule = {
  id: "dockerfile-parse",
  severity: "error",
  title: "The Dockerfile must be well-formed",
  doc:
    "Reports what would make the build fail before it starts: an empty Dockerfile, no FROM, an instruction " +
    "Docker and Buildah do not know, an instruction other than ARG before the first FROM, an instruction " +
    "without arguments, or a FROM that is not `image [AS name]`.",
  check: ({ dockerfile }) => dockerfile.problems.map((p) => ({ line: p.line, column: p.column, message: p.message })),
};
