import type { CommandName } from "./parse.js";

export const COMMAND_HELP: Record<CommandName, string> = {
  build: "`/build [--scratch]`: build this PR's head on every planned arch (`--scratch`: never promotable)",
  retest: "`/retest [arch...]`: rebuild only these arches (default: the failed ones) and republish the index",
  "ok-to-test": "`/ok-to-test [<sha>]`: approve building this exact head commit of a PR from outside the repository (naming the commit you reviewed, 7 or more hex digits, makes sure a later push is not approved with it)",
  cancel: "`/cancel`: cancel this PR's running build",
  promote: "`/promote`: promote this PR's tested index to the stable registry",
  help: "`/help`: show this list",
};

export function helpText(): string {
  return ["flibs commands (one per line, at the start of a line):", "", ...Object.values(COMMAND_HELP).map((l) => `- ${l}`)].join("\n");
}
