import { changesPackages, packageManagerCalls } from "../shell.js";
import type { Rule, RuleHit } from "../types.js";

const ASSUME_YES = /^(-[A-Za-z]*y[A-Za-z]*|--assumeyes|--setopt=assumeyes=(1|true|yes|True))$/;

export const rule: Rule = {
  id: "dnf-assume-yes",
  severity: "error",
  title: "dnf/yum/microdnf install with `-y`",
  doc:
    "A build has no terminal: `dnf install` without `-y` (`--assumeyes`) asks for confirmation, reads " +
    "end-of-file and aborts the build. Every dnf, yum or microdnf call that changes packages (install, " +
    "update, remove, group/module install, builddep, ...) must say `-y`.",
  check: ({ dockerfile }) => {
    const hits: RuleHit[] = [];
    for (const run of dockerfile.runs) {
      for (const call of packageManagerCalls(run.text)) {
        if (!changesPackages(call) || call.words.some((w) => ASSUME_YES.test(w.value))) continue;
        const first = call.words[0];
        hits.push({ ...run.positionAt(first?.offset ?? 0), message: `\`${call.tool} ${call.subcommand}\` without \`-y\` stops at the confirmation prompt and fails the build` });
      }
    }
    return hits;
  },
};
