import { finalUser, isRoot } from "../final-user.js";
import type { Rule } from "../types.js";

export const rule: Rule = {
  id: "user-root",
  severity: "error",
  title: "The image does not run as root",
  doc:
    "The last USER of the final stage (or of the stage it is built FROM) must not be `root` or `0`. Switch " +
    "to root for installing, then back to an unprivileged user (`USER 1001`) before the image ends, so a " +
    "container escape does not start as root.",
  fix: "End the final stage with an unprivileged USER: `USER 1001` (a uid works on OpenShift, which runs images as an arbitrary uid in group 0). Switch to `USER 0` only around the RUNs that need it.",
  example: {
    file: "Dockerfile",
    bad: "FROM registry.fedoraproject.org/fedora:41\nUSER root\nRUN dnf -y install httpd && dnf clean all\n",
    good: "FROM registry.fedoraproject.org/fedora:41\nUSER root\nRUN dnf -y install httpd && dnf clean all\nUSER 1001\n",
  },
  peer: {
    rules: ["DL3002"],
    differences: [
      "Only the user the image runs as counts: the last USER of the final stage, or of the stage it is built FROM. A builder stage that ends as root is not reported (DL3002 reports every stage whose last USER is root).",
    ],
  },
  check: ({ dockerfile }) => {
    const u = finalUser(dockerfile);
    if (!u || !isRoot(u.user)) return [];
    return [
      {
        line: u.instruction.line,
        column: u.instruction.column,
        message: `the image runs as \`${u.user}\`: end the final stage with an unprivileged USER`,
      },
    ];
  },
};
