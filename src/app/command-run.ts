import { authorize, helpText, type Command } from "../core/commands/index.js";
import { plannedArches, type Permission } from "../core/config/index.js";
import { escapeCell, inlineCode, messageMarkdown } from "../core/markdown.js";
import { BUILD_CHECK, formatBuildId } from "../core/plan/build-id.js";
import { archesToRetest, commitBuilds, keptDigests, rerunAlreadyStarted } from "../core/plan/builds.js";
import { approvalCoversHead, approvalNamesHead } from "../core/plan/gate.js";
import type { Arch } from "../core/platform.js";
import { listChecks } from "../github/checks.js";
import type { Reaction } from "../github/comments.js";
import { readCommitState, type CommitState } from "../github/commit-state.js";
import { readPermission } from "../github/permissions.js";
import { readPull, type Pull } from "../github/pulls.js";
import { promoteMergedPull } from "./promote-command.js";
import { cancelBuildsOf } from "./pull-request.js";
import type { Scope } from "./scope.js";
import { buildSetup, startBuild } from "./start-build.js";

/** What one command did: a reaction on the comment, or a reply that says why not (or what happened). */
export type CommandResult = { react: Reaction } | { reply: string; react?: Reaction };

export interface Invocation {
  scope: Scope;
  pr: number;
  actor: string;
  defaultBranch: string;
  /** When the command was written (the comment's `created_at`); none for a click in the checks UI. */
  writtenAt?: string;
  /** A "Re-run" click: the `external_id` of the check clicked. */
  rerunOf?: string;
}

/** Reads once per comment what its commands need: the PR, the commit's state, the actor's permission. */
export class Facts {
  private pullRead?: Promise<Pull>;
  private state?: Promise<CommitState>;
  private permission?: Promise<Permission | "none">;
  constructor(private readonly inv: Invocation) {}
  pull(): Promise<Pull> {
    return (this.pullRead ??= readPull(this.inv.scope.octokit, this.inv.scope.repo, this.inv.pr));
  }
  async commit(): Promise<CommitState> {
    return await (this.state ??= this.pull().then((p) => readCommitState(this.inv.scope.octokit, this.inv.scope.repo, p.sha)));
  }
  /** Fresh after a build was started: the next command must see its check. */
  forget(): void {
    this.state = undefined;
  }
  perm(): Promise<Permission | "none"> {
    return (this.permission ??= readPermission(this.inv.scope.octokit, this.inv.scope.repo, this.inv.actor));
  }
}

/** Runs one command for the actor on the PR; a Re-run in the checks UI comes here as its command. */
export async function runCommand(inv: Invocation, command: Command, facts = new Facts(inv)): Promise<CommandResult> {
  const { scope } = inv;
  if (command.name === "help") return { reply: helpText((await facts.commit().catch(() => undefined))?.policy.policy), react: "eyes" };
  if (command.name === "promote") {
    const r = await promoteMergedPull(scope, { pr: inv.pr, actor: inv.actor, permission: await facts.perm() });
    return r.ok ? { react: "rocket" } : { reply: `${inlineCode("/promote")} was not run: ${messageMarkdown(r.message)}` };
  }
  const pull = await facts.pull();
  if (pull.state !== "open") return { reply: `#${inv.pr} is ${pull.state}: flibs builds open pull requests only` };
  const state = await facts.commit();
  const setup = buildSetup(state);
  const auth = authorize(command, inv.actor, await facts.perm(), "skip" in setup ? state.policy.policy : setup.policy);
  if (!auth.allowed) return { reply: `${inlineCode(`/${command.name}`)} was refused: ${auth.reason}.` };
  if ("skip" in setup) return { reply: `flibs does not build this repository: ${escapeCell(setup.skip.text, 1000)}` };
  const sha = pull.sha;
  return await scope.forCommit(sha, async () => {
    facts.forget();
    const fresh = await facts.commit();
    const builds = commitBuilds(sha, fresh.checks);
    const start = async (scratch: boolean, why: string, only?: Arch[], kept?: Partial<Record<Arch, string>>): Promise<CommandResult> => {
      const covers = approvalCoversHead({
        sha,
        fromFork: pull.fromFork,
        checks: fresh.checks,
        ...(inv.writtenAt ? { writtenAt: inv.writtenAt } : {}),
      });
      if (!covers.ok)
        return { reply: `${inlineCode(`/${command.name}`)} did not start a build of ${inlineCode(sha.slice(0, 12))}: ${covers.reason}.` };
      const r = await startBuild(scope, {
        id: { sha, attempt: builds.nextAttempt, scratch },
        ...setup,
        pr: inv.pr,
        dispatchRef: inv.defaultBranch,
        why,
        ...(only ? { only } : {}),
        ...(kept ? { kept } : {}),
      });
      facts.forget();
      return "problem" in r
        ? { reply: `The build of ${inlineCode(sha.slice(0, 12))} could not start: ${escapeCell(r.problem, 2000)}` }
        : { react: "rocket" };
    };
    switch (command.name) {
      case "ok-to-test": {
        const named = approvalNamesHead({ ...(command.sha ? { named: command.sha } : {}), head: sha, policy: setup.policy });
        if (!named.ok) return { reply: `${inlineCode("/ok-to-test")} approved nothing: ${named.reason}.` };
        if (builds.builds.length) return { react: "+1" }; // already approved or trusted: nothing to start twice
        const r = await start(false, `@${inv.actor} approved ${sha.slice(0, 12)} with /ok-to-test.`);
        return "reply" in r
          ? r
          : {
              react: "rocket",
              reply: `Approved ${inlineCode(sha.slice(0, 12))} (this commit only: a new push needs a new approval); its build started.`,
            };
      }
      case "build":
        return await start(command.scratch, `@${inv.actor} asked for a${command.scratch ? " scratch" : ""} build with /build.`);
      case "retest": {
        const summaries = await listChecks(scope.octokit, scope.repo, sha, BUILD_CHECK);
        // The same click delivered again (or clicked twice) after its attempt started: nothing more to start.
        if (inv.rerunOf !== undefined && command.arches.length === 1 && rerunAlreadyStarted(inv.rerunOf, command.arches[0]!, summaries))
          return { react: "+1" };
        const latest = builds.builds.at(-1);
        if (!latest) return { reply: `Nothing to retest: ${inlineCode(sha.slice(0, 12))} was never built. Use ${inlineCode("/build")}.` };
        const arches = command.arches.length ? command.arches : archesToRetest(plannedArches(setup.config, setup.policy), builds);
        if (arches.length === 0)
          return {
            reply: `Every arch of ${inlineCode(formatBuildId(latest.id))} passed or is still running: name the arches to rebuild, e.g. ${inlineCode("/retest aarch64")}.`,
          };
        // The arches not rebuilt keep the digests their own jobs reported: by value, never from a tag.
        return await start(
          latest.id.scratch,
          `@${inv.actor} asked to rebuild ${arches.join(", ")} with /retest.`,
          arches,
          keptDigests(latest.id, summaries),
        );
      }
      case "cancel": {
        const cancelled = await cancelBuildsOf(scope, sha, { by: "command", login: inv.actor });
        return cancelled.length ? { react: "+1" } : { reply: `No build of ${inlineCode(sha.slice(0, 12))} is running.` };
      }
    }
  });
}
