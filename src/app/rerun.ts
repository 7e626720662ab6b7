import type { Probot } from "probot";
import { authorize, type Command } from "../core/commands/index.js";
import { inlineCode, mention, messageMarkdown } from "../core/markdown.js";
import { archFromCheckName, BUILD_CHECK } from "../core/plan/build-id.js";
import { parsePromotionKey } from "../core/promote/promotion-id.js";
import { isPromoteCheckName } from "../core/report/promote-check.js";
import { REVIEW_CHECK_NAME } from "../core/report/review-check.js";
import { readCommitState } from "../github/commit-state.js";
import { reply } from "../github/comments.js";
import { commitTree } from "../github/contents.js";
import { readPermission } from "../github/permissions.js";
import { readOrgPolicy } from "../github/policy.js";
import { pullsForCommit } from "../github/pulls.js";
import { runCommand, type CommandResult, type Invocation } from "./command-run.js";
import type { DeliveryWork } from "./deliveries.js";
import { describeOutcome } from "./promote-command.js";
import { promoteCommit } from "./promotion.js";
import { publishReview } from "./review.js";
import { scopeOf, type Flibs, type Scope } from "./scope.js";

interface Clicked {
  name: string;
  externalId: string | null;
  sha: string;
  pr: number | undefined;
}

/**
 * "Re-run" in the checks UI does what the check's command does, with that command's permission: `flibs/build
 * (<arch>)` is `/retest <arch>`, `flibs/build` retests the failed arches, `flibs/review` reviews again (as
 * `/build` may), `flibs/promote (<ref>)` retries that promotion (as `/promote` may). A refusal is replied on the PR.
 */
export async function rerun(scope: Scope, actor: string, defaultBranch: string, c: Clicked): Promise<CommandResult | undefined> {
  const arch = archFromCheckName(c.name);
  const command: Command | undefined = arch
    ? { name: "retest", arches: [arch] }
    : c.name === BUILD_CHECK
      ? { name: "retest", arches: [] }
      : undefined;
  let r: CommandResult | undefined;
  if (command && c.pr !== undefined) {
    const inv: Invocation = { scope, pr: c.pr, actor, defaultBranch, rerunOf: c.externalId ?? "" };
    r = await runCommand(inv, command);
  } else if (c.name === REVIEW_CHECK_NAME) {
    r = await allowed(scope, actor, { name: "build", scratch: false }, async () => {
      await scope.forCommit(c.sha, async () => publishReview(scope, await readCommitState(scope.octokit, scope.repo, c.sha)));
      return { react: "+1" };
    });
  } else if (isPromoteCheckName(c.name)) {
    const key = parsePromotionKey(c.externalId);
    if (!key) return undefined;
    r = await allowed(scope, actor, { name: "promote" }, async () => {
      const tree = await commitTree(scope.octokit, scope.repo, c.sha);
      const o = await scope.forCommit(c.sha, () => promoteCommit(scope, { sha: c.sha, tree, ref: key.ref, trigger: "command" }));
      return o.kind === "promoting" || o.kind === "building-first" || o.kind === "waiting"
        ? { react: "rocket" }
        : { reply: `the promotion was not retried: ${messageMarkdown(describeOutcome(o))}` };
    });
  }
  // A merge commit's check names no pull request: the reply goes to the one it merged.
  const pr = c.pr ?? (r && "reply" in r ? (await pullsForCommit(scope.octokit, scope.repo, c.sha))[0]?.number : undefined);
  if (r && "reply" in r && pr !== undefined)
    await reply(scope.octokit, scope.repo, pr, `${mention(actor)} Re-run of ${inlineCode(c.name)}: ${r.reply}`);
  return r;
}

async function allowed(scope: Scope, actor: string, command: Command, work: () => Promise<CommandResult>): Promise<CommandResult> {
  const [policy, permission] = await Promise.all([
    readOrgPolicy(scope.octokit, scope.repo.owner),
    readPermission(scope.octokit, scope.repo, actor),
  ]);
  const auth = authorize(command, actor, permission, policy.policy);
  return auth.allowed ? await work() : { reply: `${inlineCode(`/${command.name}`)} was refused: ${messageMarkdown(auth.reason)}.` };
}

export function registerRerun(app: Probot, deliveries: DeliveryWork, flibs: Flibs): void {
  app.on("check_run.rerequested", async (context) => {
    await deliveries.run(context.log, "flibs re-run", async () => {
      const check = context.payload.check_run;
      const scope = await scopeOf(app, context, flibs);
      const c = { name: check.name, externalId: check.external_id, sha: check.head_sha, pr: check.pull_requests[0]?.number };
      context.log.info(
        { check: check.name, result: await rerun(scope, context.payload.sender.login, context.payload.repository.default_branch, c) },
        "flibs re-run",
      );
    });
  });
  // "Re-run all checks": the suite's flibs checks, each as its own Re-run would (review again, retest the failed arches).
  app.on("check_suite.rerequested", async (context) => {
    await deliveries.run(context.log, "flibs re-run (suite)", async () => {
      const suite = context.payload.check_suite;
      const scope = await scopeOf(app, context, flibs);
      const sha = suite.head_sha;
      const pr = suite.pull_requests[0]?.number;
      const actor = context.payload.sender.login;
      const branch = context.payload.repository.default_branch;
      const results = [await rerun(scope, actor, branch, { name: REVIEW_CHECK_NAME, externalId: null, sha, pr })];
      if (pr !== undefined) results.push(await rerun(scope, actor, branch, { name: BUILD_CHECK, externalId: null, sha, pr }));
      context.log.info({ sha, results }, "flibs re-run (suite)");
    });
  });
}
