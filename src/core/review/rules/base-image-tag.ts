import { parseImageName } from "../../dockerfile/index.js";
import type { Rule, RuleHit } from "../types.js";

export const rule: Rule = {
  id: "base-image-tag",
  severity: "error",
  title: "Base images name a version, not `latest`",
  doc:
    "A FROM without a tag means `latest`, and `latest` moves: the same commit would build on a different " +
    "base tomorrow. Name a release tag (`fedora:41`) or pin a digest (`@sha256:...`); flibs pins the digest " +
    "at build time and records it, so a tag is enough for reproducible, auditable builds. The image is read " +
    "after ARG substitution (ARG defaults and container.yaml's `build_args`).",
  fix: "Name a release tag (`registry.fedoraproject.org/fedora:41`) or a digest (`@sha256:...`). To build on several releases, take the tag from an ARG with a default (`ARG FEDORA_VERSION=41`).",
  example: {
    file: "Dockerfile",
    bad: "FROM registry.fedoraproject.org/fedora\n",
    good: "FROM registry.fedoraproject.org/fedora:41\n",
  },
  peer: {
    rules: ["DL3006", "DL3007"],
    differences: [
      "The image is read after ARG substitution, with ARG defaults and container.yaml's `build_args`: `ARG BASE=quay.io/fedora/fedora` then `FROM $BASE` is untagged, and a tag ARG whose default is `latest` is `latest` (DL3006 skips any image that starts with `$`, DL3007 sees the text `${TAG}`).",
    ],
  },
  check: ({ dockerfile }) => {
    const hits: RuleHit[] = [];
    for (const { ref: from, via } of dockerfile.images) {
      if (from.unresolved.length > 0) continue;
      const image = parseImageName(from.resolved);
      if (!image || image.digest) continue;
      const what = via === "FROM" ? "base image" : `image (${via})`;
      const at = { line: from.line, column: from.column };
      if (!image.tag) hits.push({ ...at, message: `${what} \`${from.resolved}\` has no tag (that means \`latest\`); name a version` });
      else if (image.tag === "latest") hits.push({ ...at, message: `${what} \`${from.resolved}\` uses \`latest\`; name a version` });
    }
    return hits;
  },
};
