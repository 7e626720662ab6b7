import type { Rule } from "../types.js";
import { rule as dockerfileMissing } from "./dockerfile-missing.js";
import { rule as dockerfileParse } from "./dockerfile-parse.js";
import { rule as configSyntax } from "./config-syntax.js";
import { rule as configSchema } from "./config-schema.js";
import { rule as ignoreComment } from "./ignore-comment.js";
import { rule as baseImageRegistry } from "./base-image-registry.js";
import { rule as baseImageTag } from "./base-image-tag.js";
import { rule as requiredLabels } from "./required-labels.js";
import { rule as userRoot } from "./user-root.js";
import { rule as userMissing } from "./user-missing.js";
import { rule as addUrl } from "./add-url.js";
import { rule as addLocalFile } from "./add-local-file.js";
import { rule as maintainerDeprecated } from "./maintainer-deprecated.js";
import { rule as dnfAssumeYes } from "./dnf-assume-yes.js";
import { rule as dnfCleanAll } from "./dnf-clean-all.js";
import { rule as noGpgcheck } from "./no-gpgcheck.js";
import { rule as buildTimeRepo } from "./build-time-repo.js";
import { rule as curlPipeShell } from "./curl-pipe-shell.js";

/** Every review rule, in the order the README lists them. A new rule: one file here, one line below. */
export const ALL_RULES: readonly Rule[] = [
  dockerfileMissing,
  dockerfileParse,
  configSyntax,
  configSchema,
  ignoreComment,
  baseImageRegistry,
  baseImageTag,
  requiredLabels,
  userRoot,
  userMissing,
  addUrl,
  addLocalFile,
  maintainerDeprecated,
  dnfAssumeYes,
  dnfCleanAll,
  noGpgcheck,
  buildTimeRepo,
  curlPipeShell,
];
