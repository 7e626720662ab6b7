import type { CommandDefinition } from "./types.js";
import { reviewCommand } from "./review.js";
import { inspectCommand } from "./inspect.js";
import { promoteCommand } from "./promote.js";
import { buildCommand } from "./build.js";
import { publishCommand } from "./publish.js";
import { initCommand } from "./init.js";

/**
 * Every `flibs` sub-command, in `flibs --help` order. To add one (inspect, promote, build, publish, init):
 * write `src/cli/commands/<name>.ts` exporting a CommandDefinition whose action lazy-imports its
 * implementation (see review.ts), and add one line here.
 */
export const COMMANDS: readonly CommandDefinition[] = [
  reviewCommand,
  inspectCommand,
  promoteCommand,
  buildCommand,
  publishCommand,
  initCommand,
];

export type { CommandDefinition } from "./types.js";
