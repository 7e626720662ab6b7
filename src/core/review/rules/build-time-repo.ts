import { copyArgs } from "../copy-args.js";
import { basename, simpleCommands } from "../shell.js";
import type { Rule, RuleHit } from "../types.js";

const READ_ONLY = new Set(["rm", "ls", "cat", "test", "[", "grep", "head", "tail"]);

export const rule: Rule = {
  id: "build-time-repo",
  severity: "warning",
  title: "No package repositories added at build time",
  doc:
    "Adding a repository during the build (`dnf config-manager --add-repo`, `dnf copr enable`, " +
    "`--repofrompath`, writing or copying a file into `/etc/yum.repos.d`, downloading a `.repo` file) " +
    "installs packages from a source the base image and the organisation did not vet, and that can change " +
    "under the same commit. Use the base image's repositories, or have the repository added to the base.",
  fix: "Install from the base image's repositories. If a package is missing there, have it packaged in Fedora or added to the organisation's base image, so it is vetted once for every image.",
  example: {
    file: "Dockerfile",
    bad: "FROM registry.fedoraproject.org/fedora:41\nRUN dnf -y copr enable someone/tools && dnf -y install tool && dnf clean all\n",
    good: "FROM registry.fedoraproject.org/fedora:41\nRUN dnf -y install tool && dnf clean all\n",
  },
  check: ({ dockerfile }) => {
    const hits: RuleHit[] = [];
    for (const run of dockerfile.runs) {
      for (const cmd of simpleCommands(run.text)) {
        const tool = basename(cmd.words[0]?.value ?? "");
        const values = cmd.words.map((w) => w.value);
        const at = run.positionAt(cmd.words[0]?.offset ?? 0);
        let why: string | undefined;
        if (values.includes("config-manager") && values.some((v) => v === "--add-repo" || v.startsWith("--add-repo=") || v === "addrepo")) {
          why = "`config-manager --add-repo` adds a repository";
        } else if (values.includes("copr") && values.includes("enable")) why = "`copr enable` adds a repository";
        else if (values.some((v) => v.startsWith("--repofrompath"))) why = "`--repofrompath` adds a repository";
        else if (!READ_ONLY.has(tool) && values.some((v) => v.includes("/etc/yum.repos.d"))) why = "writes to /etc/yum.repos.d";
        else if ((tool === "curl" || tool === "wget") && values.some((v) => v.endsWith(".repo"))) why = "downloads a .repo file";
        if (why) hits.push({ ...at, message: `${why} at build time` });
      }
      for (const m of run.text.matchAll(/>>?\s*(\S*(\/etc\/yum\.repos\.d\/\S*|\.repo))(?=\s|$)/g)) {
        if (!hits.some((h) => h.line === run.positionAt(m.index).line)) {
          hits.push({ ...run.positionAt(m.index), message: `writes \`${m[1]}\` at build time: adds a repository` });
        }
      }
    }
    for (const ins of dockerfile.instructions) {
      if (ins.keyword !== "COPY" && ins.keyword !== "ADD") continue;
      const { dest, sources } = copyArgs(ins);
      if (dest.startsWith("/etc/yum.repos.d") || (sources.some((s) => s.value.endsWith(".repo")) && dest.includes("yum.repos.d"))) {
        hits.push({ line: ins.line, column: ins.column, message: `${ins.keyword} into /etc/yum.repos.d adds a repository at build time` });
      }
    }
    return hits;
  },
};
