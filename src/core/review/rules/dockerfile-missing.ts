import type { Rule } from "../types.js";

export const rule: Rule = {
  id: "dockerfile-missing",
  severity: "error",
  title: "The Dockerfile must exist",
  doc:
    "The Dockerfile named by `container.yaml`'s `dockerfile:` (default `Dockerfile`) was not found in the " +
    "repository, so there is nothing to review or build.",
  fix: "Commit the Dockerfile, or point `dockerfile:` in container.yaml at the file you build (`dockerfile: build/Containerfile`).",
  example: {
    file: "container.yaml",
    bad: "image: my-image\ndockerfile: Containerfile\n",
    good: "image: my-image\ndockerfile: Dockerfile\n",
  },
  // Reported by the engine, which is the one that knows the file was absent.
  check: () => [],
};
