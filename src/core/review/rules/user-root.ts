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
  check: ({ dockerfile }) => {
    const u = finalUser(dockerfile);
    if (!u || !isRoot(u.user)) return [];
    return [{ line: u.instruction.line, column: u.instruction.column, message: `the image runs as \`${u.user}\`: end the final stage with an unprivileged USER` }];
  },
};
