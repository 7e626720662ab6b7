import { authorize } from "../core/commands/authorize.js";
import type { Permission, Policy } from "../core/config/index.js";
import { commitTree } from "../github/contents.js";
import { readPermission } from "../github/permissions.js";
import { readOrgPolicy } from "../github/policy.js";
import { readPull } from "../github/pulls.js";
import { promoteCommit, type PromotionOutcome } from "./promotion.js";
import type { Scope } from "./scope.js";

/**
 * `/promote` on a pull request: authorised by `policy.promote.permission`, then the PR's merge commit is promoted
 * (or built first) exactly as a merge would be, as a new attempt.
 */
export async function promoteMergedPull(
  scope: Scope,
  a: { pr: number; actor: string; permission?: Permission | "none"; policy?: Policy },
): Promise<{ ok: boolean; message: string; outcome?: PromotionOutcome }> {
  let policy = a.policy;
  if (!policy) {
    const read = await readOrgPolicy(scope.octokit, scope.repo.owner);
    if (!read.ok) return { ok: false, message: read.message };
    policy = read.policy;
  }
  const permission = a.permission ?? (await readPermission(scope.octokit, scope.repo, a.actor));
  const auth = authorize({ name: "promote" }, a.actor, permission, policy);
  if (!auth.allowed) return { ok: false, message: auth.reason };
  const pull = await readPull(scope.octokit, scope.repo, a.pr);
  if (!pull.merged || !pull.mergeCommitSha)
    return {
      ok: false,
      message: `#${a.pr} is not merged: flibs promotes what reached ${pull.defaultBranch}, so merge it and its merge is promoted`,
    };
  if (pull.base !== pull.defaultBranch)
    return { ok: false, message: `#${a.pr} was merged into ${pull.base}, not the default branch ${pull.defaultBranch}` };
  const sha = pull.mergeCommitSha;
  const tree = await commitTree(scope.octokit, scope.repo, sha);
  const outcome = await scope.forCommit(sha, () =>
    promoteCommit(scope, { sha, tree, ref: `refs/heads/${pull.defaultBranch}`, trigger: "command", policy }),
  );
  return {
    ok: outcome.kind === "promoting" || outcome.kind === "building-first" || outcome.kind === "waiting",
    message: describeOutcome(outcome),
    outcome,
  };
}

export function describeOutcome(o: PromotionOutcome): string {
  return o.kind === "promoting" ? `promoting ${o.digest} (tested on ${o.from.slice(0, 12)}); deployment ${o.deploymentId}` : o.reason;
}
