import { copyArgs, isLocalArchive, isUrl } from "../copy-args.js";
import type { Rule, RuleHit } from "../types.js";

export const rule: Rule = {
  id: "add-local-file",
  severity: "warning",
  title: "Use COPY for local files",
  doc:
    "`ADD` of a local file that is not a tar archive does the same as `COPY` but hides a second meaning " +
    "(archives are unpacked, URLs fetched). Use `COPY`, which says exactly what happens; keep `ADD` for " +
    "local tar archives that are meant to be unpacked (`.tar`, `.tar.gz`, `.tgz`, `.gz`, `.bz2`, `.xz`, " +
    "`.zst`). Quoted sources are read like unquoted ones.",
  fix: "Write COPY instead of ADD for the files that are not archives; keep ADD only for a tar archive that should be unpacked.",
  example: {
    file: "Dockerfile",
    bad: "FROM registry.fedoraproject.org/fedora:41\nADD httpd.conf /etc/httpd/conf/\n",
    good: "FROM registry.fedoraproject.org/fedora:41\nCOPY httpd.conf /etc/httpd/conf/\n",
  },
  peer: {
    rules: ["DL3020"],
    differences: [
      "zstd archives (`.zst`, `.tar.zst`, `.tzst`) are archives: Docker and Buildah unpack them (DL3020 does not list `.zst`).",
      "`.Z`, `.lz` and `.lzma` files are not: ADD copies them as they are, so COPY does the same (DL3020 lists them).",
      "A Git URL (`git@host:org/repo.git`) is reported by add-url, not here (DL3020 reports it).",
    ],
  },
  check: ({ dockerfile }) => {
    const hits: RuleHit[] = [];
    for (const ins of dockerfile.instructions) {
      if (ins.keyword !== "ADD") continue;
      const { sources } = copyArgs(ins);
      const plain = sources.filter((s) => !isUrl(s.value) && !isLocalArchive(s.value) && !s.value.startsWith("<<"));
      if (plain.length > 0) {
        hits.push({
          line: ins.line,
          column: ins.column,
          message: `ADD of local ${plain.map((s) => `\`${s.value}\``).join(", ")}: use COPY`,
        });
      }
    }
    return hits;
  },
};
