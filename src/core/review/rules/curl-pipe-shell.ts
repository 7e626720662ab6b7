import type { Rule, RuleHit } from "../types.js";

const SHELL = String.raw`(?:sudo\s+(?:-\S+\s+)*)?(?:\S*\/)?(?:ba|z|da|k|fi)?sh\b|(?:\S*\/)?python[0-9.]*\b|(?:\S*\/)?perl\b|(?:\S*\/)?ruby\b`;
const PATTERNS = [
  new RegExp(String.raw`\b(?:curl|wget)\b[^|;&\n]*\|\s*(?:${SHELL})`, "g"),
  new RegExp(String.raw`\b(?:ba|z|da|k)?sh\s+(?:-\S+\s+)*<\(\s*(?:curl|wget)\b`, "g"),
  new RegExp(String.raw`\b(?:ba|z|da|k)?sh\s+(?:-\S+\s+)*-c\s+["']?\$\(\s*(?:curl|wget)\b`, "g"),
];

export const rule: Rule = {
  id: "curl-pipe-shell",
  severity: "error",
  title: "No `curl | sh`",
  doc:
    "Piping a download into a shell or interpreter (`curl ... | sh`, `wget -O- ... | bash`, " +
    "`bash <(curl ...)`) runs code nobody reviewed, fetched at build time, that can differ on every build. " +
    "Vendor the script into the repository (and COPY it), or install the software from a signed package.",
  fix: "Commit the script to the repository, where the pull request reviews it, and COPY it; or install the software from a signed package.",
  example: {
    file: "Dockerfile",
    bad: "FROM registry.fedoraproject.org/fedora:41\nRUN curl -fsSL https://example.com/install.sh | sh\n",
    good: "FROM registry.fedoraproject.org/fedora:41\nCOPY install.sh /tmp/\nRUN sh /tmp/install.sh\n",
  },
  check: ({ dockerfile }) => {
    const hits: RuleHit[] = [];
    for (const run of dockerfile.runs) {
      for (const re of PATTERNS) {
        for (const m of run.text.matchAll(re)) {
          hits.push({
            ...run.positionAt(m.index),
            message: "a downloaded script is run unreviewed; vendor it and COPY it, or install a package",
          });
        }
      }
    }
    return hits;
  },
};
