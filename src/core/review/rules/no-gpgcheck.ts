import type { Rule, RuleHit } from "../types.js";

const PATTERN = /--nogpgcheck\b|(?<=^|[^\w]|\\n)gpgcheck\s*=\s*(0|false|no|False)\b|--no-gpg-checks\b/g;

export const rule: Rule = {
  id: "no-gpgcheck",
  severity: "error",
  title: "Keep package signature checks on",
  doc:
    "`--nogpgcheck` or `gpgcheck=0` (in a RUN, `--setopt`, or a repo file written at build time) installs " +
    "packages whose signature is not verified, so anyone who can serve the download can put code in the " +
    "image. Import the repository's key instead (`rpm --import`).",
  fix: "Import the repository's signing key (`rpm --import KEY`, or `gpgkey=` in the repo file) and leave gpgcheck on.",
  example: {
    file: "Dockerfile",
    bad: "FROM registry.fedoraproject.org/fedora:41\nCOPY app.rpm /tmp/\nRUN dnf -y --nogpgcheck install /tmp/app.rpm && dnf clean all\n",
    good: "FROM registry.fedoraproject.org/fedora:41\nCOPY app.rpm RPM-GPG-KEY-example /tmp/\nRUN rpm --import /tmp/RPM-GPG-KEY-example && dnf -y install /tmp/app.rpm && dnf clean all\n",
  },
  check: ({ dockerfile }) => {
    const hits: RuleHit[] = [];
    for (const run of dockerfile.runs) {
      for (const m of run.text.matchAll(PATTERN)) {
        hits.push({ ...run.positionAt(m.index), message: `\`${m[0]}\` turns off package signature checks` });
      }
    }
    return hits;
  },
};
