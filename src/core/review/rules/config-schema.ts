import { CONFIG_SCHEMA_RULE } from "../../config/index.js";
import type { Rule } from "../types.js";

export const rule: Rule = {
  id: CONFIG_SCHEMA_RULE,
  severity: "error",
  title: "container.yaml follows the schema",
  doc: "Every key of `container.yaml` must be known and every value of the right type: `platforms: {only, not}` with Fedora arch names, `image` a lowercase repository path, `tags` valid OCI tags, `tests` with a `name` and a `command`. Each problem is reported on the YAML line of the key or value concerned (see the configuration reference).",
  fix: "Use the keys and values of the container.yaml reference in the README; `flibs schema container` prints the JSON Schema for editors. Arches are named as Fedora names them.",
  example: {
    file: "container.yaml",
    bad: "image: my-image\nplatforms:\n  only: [x86_64, amd64]\n",
    good: "image: my-image\nplatforms:\n  only: [x86_64, aarch64]\n",
  },
  // The findings come from parseContainerConfig, which knows the YAML lines; this rule carries them.
  check: ({ configFindings }) =>
    configFindings
      .filter((f) => f.rule === CONFIG_SCHEMA_RULE)
      .map((f) => ({ file: f.file, line: f.line, column: f.column, message: f.message })),
};
