import { imageUnder, parseImageName } from "../../dockerfile/index.js";
import type { Rule, RuleHit } from "../types.js";

export const rule: Rule = {
  id: "base-image-registry",
  severity: "error",
  title: "Base images come from approved registries",
  doc:
    "Every FROM that names an image (not `scratch`, not an earlier stage) must resolve, after ARG " +
    "substitution, to a registry host or host/namespace listed in the policy's `approved_base_registries`. " +
    "Docker Hub short names are read as Docker reads them: `fedora` is `docker.io/library/fedora`. A FROM " +
    "whose image depends on an ARG with no default or build arg cannot be checked and is reported too.",
  fix: "Build on an image from an approved registry (the policy's `approved_base_registries`: by default `registry.fedoraproject.org` and `quay.io/fedora`), or ask the organisation to approve the registry. An ARG used in FROM needs a default or a build arg in container.yaml.",
  example: {
    file: "Dockerfile",
    bad: "FROM fedora:41\n",
    good: "FROM registry.fedoraproject.org/fedora:41\n",
  },
  check: ({ dockerfile, policy }) => {
    const hits: RuleHit[] = [];
    for (const use of dockerfile.images) {
      const { ref: from } = use;
      const what = use.via === "FROM" ? "base image" : `image (${use.via})`;
      const at = { line: from.line, column: from.column };
      if (from.unresolved.length > 0) {
        hits.push({
          ...at,
          message: `cannot check ${what} \`${from.raw}\`: ${from.unresolved.map((v) => `\`${v}\``).join(", ")} has no default or build arg`,
        });
        continue;
      }
      const image = parseImageName(from.resolved);
      if (!image) {
        hits.push({ ...at, message: `\`${from.resolved}\` is not a valid image reference` });
        continue;
      }
      if (!policy.approved_base_registries.some((p) => imageUnder(image, p))) {
        hits.push({
          ...at,
          message: `${what} \`${image.registry}/${image.repository}\` is not from an approved registry (${policy.approved_base_registries.join(", ") || "none approved"})`,
        });
      }
    }
    return hits;
  },
};
