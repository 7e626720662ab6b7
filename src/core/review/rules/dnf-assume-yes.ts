import { changesPackages, packageManagerCalls } from "../package-manager.js";
import type { Rule, RuleHit } from "../types.js";

const ASSUME_YES = /^(-[A-Za-z]*y[A-Za-z]*|--assumeyes|--setopt=assumeyes=(1|true|yes|True))$/;

export const rule: Rule = {
  id: "dnf-assume-yes",
  severity: "error",
  title: "dnf/yum/microdnf install with `-y`",
  doc:
    "A build has no terminal: `dnf install` without `-y` (`--assumeyes`) asks for confirmation, reads " +
    "end-of-file and aborts the build. Every dnf, dnf5, yum or microdnf call that changes packages, in a RUN " +
    "or an ONBUILD RUN, must say `-y`: install, reinstall, upgrade, update, upgrade-minimal, downgrade, " +
    "remove, autoremove, distro-sync, swap, builddep, group and module changes, history undo, and their " +
    "short forms (`in`, `rei`, `up`, `up-min`, `rm`, ...).",
  fix: "Add `-y` to the call: `dnf -y install httpd`. An ONBUILD RUN needs it too: it runs in every image built on this one.",
  example: {
    file: "Dockerfile",
    bad: "FROM registry.fedoraproject.org/fedora:41\nRUN dnf install httpd && dnf clean all\n",
    good: "FROM registry.fedoraproject.org/fedora:41\nRUN dnf -y install httpd && dnf clean all\n",
  },
  peer: {
    rules: ["DL3038", "DL3030"],
    differences: [
      "Every call that changes packages needs `-y`, not only install, groupinstall and localinstall: " +
        "`dnf upgrade`, `dnf in`, `dnf remove` and the others prompt the same way (DL3038 and DL3030 check " +
        "the three install commands).",
    ],
  },
  check: ({ dockerfile }) => {
    const hits: RuleHit[] = [];
    for (const run of dockerfile.runs) {
      for (const call of packageManagerCalls(run.text)) {
        if (!changesPackages(call) || call.words.some((w) => ASSUME_YES.test(w.value))) continue;
        const first = call.words[0];
        hits.push({
          ...run.positionAt(first?.offset ?? 0),
          message: `\`${call.tool} ${call.subcommand}\` without \`-y\` stops at the confirmation prompt and fails the build`,
        });
      }
    }
    return hits;
  },
};
