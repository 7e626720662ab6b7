import type { Policy } from "../config/policy.js";
import { inlineCode } from "../markdown.js";
import type { CommandName } from "./parse.js";

export const COMMAND_HELP: Record<CommandName, string> = {
  build: "`/build [--scratch]`: build this PR's head on every planned arch (`--scratch`: never promotable)",
  retest: "`/retest [arch...]`: rebuild only these arches (default: the failed ones) and republish the index",
  "ok-to-test":
    "`/ok-to-test [<sha>]`: approve building this exact head commit of a PR from outside the repository (naming the commit you reviewed, 7 or more hex digits, makes sure a later push is not approved with it)",
  cancel: "`/cancel`: cancel this PR's running build",
  promote: "`/promote`: promote this PR's merge commit to the stable registry again",
  help: "`/help`: show this list",
};

/** Who may run a command and when, from the organisation's policy. */
function whoAndWhen(name: CommandName, policy: Policy | undefined): string {
  const build = policy?.build.permission ?? "write";
  switch (name) {
    case "help":
      return "anyone";
    case "promote":
      return `${inlineCode(policy?.promote.permission ?? "maintain")} access; only once the PR is merged into the default branch`;
    case "ok-to-test":
      return `${inlineCode(build)} access; only for a PR from outside the repository that waits for approval${policy?.build.ok_to_test_sha === "required" ? " (this organisation requires the SHA)" : ""}`;
    default:
      return `${inlineCode(build)} access; only while the PR is open`;
  }
}

export function helpText(policy?: Policy): string {
  return [
    "flibs commands (one per line, at the start of a line):",
    "",
    ...(Object.keys(COMMAND_HELP) as CommandName[]).map((n) => `- ${COMMAND_HELP[n]}. Who: ${whoAndWhen(n, policy)}.`),
    "",
    "Re-run on a check does what its command does: `flibs/build (<arch>)` is `/retest <arch>`, `flibs/build` retests the failed arches, `flibs/review` reviews again, `flibs/promote (<ref>)` retries the promotion.",
  ].join("\n");
}
