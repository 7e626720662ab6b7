import type { Context, Probot } from "probot";
import { COMMAND_NAMES, parseComment } from "../core/commands/index.js";
import { describeError } from "../core/errors.js";
import { escapeCell, inlineCode, mention } from "../core/markdown.js";
import { acknowledge, react, reply } from "../github/comments.js";
import { Facts, runCommand, type CommandResult, type Invocation } from "./command-run.js";
import type { DeliveryWork } from "./deliveries.js";
import { scopeOf, type Flibs } from "./scope.js";

/**
 * `issue_comment.created` on a pull request: every command of the comment, each authorised on its own. The
 * "eyes" reaction is the comment's receipt: GitHub answers 200 instead of 201 when it exists, so a redelivered
 * comment is acted on once.
 */
export async function onComment(app: Probot, context: Context<"issue_comment.created">, flibs: Flibs): Promise<CommandResult[]> {
  const { comment, issue } = context.payload;
  if (!issue.pull_request || comment.user?.type === "Bot" || comment.performed_via_github_app) return [];
  const parsed = parseComment(comment.body);
  if (parsed.commands.length === 0 && parsed.problems.length === 0) return [];
  const scope = await scopeOf(app, context, flibs);
  const inv: Invocation = {
    scope,
    pr: issue.number,
    actor: comment.user?.login ?? "",
    defaultBranch: context.payload.repository.default_branch,
    ...(comment.created_at ? { writtenAt: comment.created_at } : {}),
  };
  if (!(await acknowledge(scope.octokit, scope.repo, comment.id))) {
    context.log.info({ comment: comment.id }, "flibs commands: comment already handled (redelivery)");
    return [];
  }
  const facts = new Facts(inv);
  const results: CommandResult[] = [];
  const replies: string[] = [];
  if (parsed.problems.length) {
    replies.push(
      [...parsed.problems.map((p) => `- ${p}`), "", `Valid commands: ${COMMAND_NAMES.map((n) => inlineCode(`/${n}`)).join(", ")}.`].join(
        "\n",
      ),
    );
  }
  for (const command of parsed.commands) {
    let r: CommandResult;
    try {
      r = await runCommand(inv, command, facts);
    } catch (e) {
      context.log.warn({ err: e, command: command.name }, "flibs command failed");
      r = { reply: `${inlineCode(`/${command.name}`)} failed: ${escapeCell(describeError(e), 1000)}` };
    }
    results.push(r);
    if ("reply" in r) replies.push(r.reply);
  }
  // "eyes" already says the comment was seen; a started build or cancel adds its own reaction.
  const reaction = results.flatMap((r) => (r.react && r.react !== "eyes" ? [r.react] : []))[0];
  if (reaction) await react(scope.octokit, scope.repo, comment.id, reaction);
  if (replies.length) await reply(scope.octokit, scope.repo, issue.number, `${mention(inv.actor)}\n\n${replies.join("\n\n")}`);
  return results;
}

export function registerCommands(app: Probot, deliveries: DeliveryWork, flibs: Flibs): void {
  app.on("issue_comment.created", async (context) => {
    await deliveries.run(context.log, "flibs commands", async () => {
      await onComment(app, context, flibs);
    });
  });
}
