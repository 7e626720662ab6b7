import type { Rule } from "../types.js";

export const rule: Rule = {
  id: "dockerfile-missing",
  severity: "error",
  title: "The Dockerfile must exist",
  doc:
    "The Dockerfile named by `container.yaml`'s `dockerfile:` (default `Dockerfile`) was not found in the " +
    "repository, so there is nothing to review or build.",
  // Reported by the engine, which is the one that knows the file was absent.
  check: () => [],
};
