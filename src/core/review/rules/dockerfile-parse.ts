import type { Rule } from "../types.js";

export const rule: Rule = {
  id: "dockerfile-parse",
  severity: "error",
  title: "The Dockerfile must be well-formed",
  doc:
    "Reports what would make the build fail before it starts: an empty Dockerfile, no FROM, an instruction " +
    "Docker and Buildah do not know, an instruction other than ARG before the first FROM, an instruction " +
    "without arguments, or a FROM that is not `image [AS name]`.",
  fix: "Fix the instruction the finding points at: start with FROM (only ARG may come before it), spell each instruction as Docker knows it, and give it its arguments.",
  example: {
    file: "Dockerfile",
    bad: "RUN dnf -y install httpd && dnf clean all\nFROM registry.fedoraproject.org/fedora:41\n",
    good: "FROM registry.fedoraproject.org/fedora:41\nRUN dnf -y install httpd && dnf clean all\n",
  },
  check: ({ dockerfile }) => dockerfile.problems.map((p) => ({ line: p.line, column: p.column, message: p.message })),
};
