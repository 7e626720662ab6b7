import { finalUser } from "../final-user.js";
import type { Rule } from "../types.js";

export const rule: Rule = {
  id: "user-missing",
  severity: "warning",
  title: "The final stage sets a USER",
  doc:
    "Without a USER instruction the image runs as whatever user its base image ends with, which for " +
    "Fedora's base images is root. Set an unprivileged USER in the final stage. A warning, not an error, " +
    "because some system containers must run as root: say so with a `# flibs-ignore user-missing reason` " +
    "comment above the final FROM.",
  fix: "Add `USER 1001` (or a user the image creates) at the end of the final stage. A system container that must run as root says so with `# flibs-ignore user-missing <why>` above the final FROM.",
  example: {
    file: "Dockerfile",
    bad: "FROM registry.fedoraproject.org/fedora:41\nRUN dnf -y install httpd && dnf clean all\n",
    good: "FROM registry.fedoraproject.org/fedora:41\nRUN dnf -y install httpd && dnf clean all\nUSER 1001\n",
  },
  check: ({ dockerfile }) => {
    const final = dockerfile.stages[dockerfile.stages.length - 1];
    if (!final || final.from.kind === "scratch" || finalUser(dockerfile)) return [];
    return [
      {
        line: final.instruction.line,
        column: final.instruction.column,
        message: "the final stage sets no USER, so the image runs as its base image's user (root for Fedora)",
      },
    ];
  },
};
