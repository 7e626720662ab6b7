import { copyArgs, isUrl } from "../copy-args.js";
import type { Rule, RuleHit } from "../types.js";

export const rule: Rule = {
  id: "add-url",
  severity: "error",
  title: "No `ADD` of a URL",
  doc:
    "`ADD https://...` (or a Git URL) fetches content at build time that is not in the repository, is not " +
    "reviewed and can change between two builds of the same commit. Put the file in the repository and " +
    "COPY it, or install it from a package (RPMs are signed and recorded in the build record). A quoted URL " +
    '(`ADD "https://..." /x`) is a URL too.',
  fix: "Commit the file to the repository and COPY it, or install it from an RPM. If it must be downloaded, download it in a RUN that checks its checksum (`curl -fsSLO URL && sha256sum -c file.sha256`).",
  example: {
    file: "Dockerfile",
    bad: "FROM registry.fedoraproject.org/fedora:41\nADD https://example.com/tool-1.4.tar.gz /tmp/\n",
    good: "FROM registry.fedoraproject.org/fedora:41\nCOPY tool-1.4.tar.gz /tmp/\n",
  },
  check: ({ dockerfile }) => {
    const hits: RuleHit[] = [];
    for (const ins of dockerfile.instructions) {
      if (ins.keyword !== "ADD") continue;
      for (const src of copyArgs(ins).sources) {
        if (isUrl(src.value))
          hits.push({
            ...ins.positionAt(src.offset),
            message: `ADD of URL \`${src.value}\`: fetched unreviewed at build time; vendor the file and COPY it`,
          });
      }
    }
    return hits;
  },
};
