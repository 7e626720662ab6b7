import type { Context, Probot } from "probot";
import { authorize, COMMAND_NAMES, helpText, parseComment, type Command } from "../core/commands/index.js";
import type { Permission } from "../core/config/policy.js";
import { describeError } from "../core/errors.js";
import { escapeCell, inlineCode, mention } from "../core/markdown.js";
import { archFromCheckName, BUILD_CHECK, formatBuildId } from "../core/plan/build-id.js";
import { archesToRetest, commitBuilds, keptDigests, rerunAlreadyStarted } from "../core/plan/builds.js";
import { approvalCoversHead, approvalNamesHead } from "../core/plan/gate.js";
import { plannedArches } from "../core/config/index.js";
import type { Arch } from "../core/platform.js";
import { acknowledge, cancelRunningBuilds, listChecks, react, readPullHead, reply, type Reaction } from "../github/build.js";
import { readCommitState, type CommitState } from "../github/commit-state.js";
import { installationOctokit, type GitHubClient, type RepoRef } from "../github/octokit.js";
import { readPermission } from "../github/promote.js";
import { buildSetup, startBuild, type PerCommit } from "./build.js";
// `/promote` is the promotion module's: it authorises and acts on its own (src/app/promote.ts).
import { handlePromoteCommand } from "./promote.js";

/** What one command did: a reaction on the comment, or a reply that says why not (or what happened). */
export type CommandResult = { react: Reaction } | { reply: string; react?: Reaction };

interface Invocation {
  octokit: GitHubClient;
  repo: RepoRef;
  pr: number;
  actor: string;
  defaultBranch: string;
  serial: PerCommit;
  /** When the command was written (the comment's `created_at`); none for a click in the checks UI. */
  writtenAt?: string;
  /** A "Re-run" click: the `external_id` of the check clicked. */
  rerunOf?: string;
}

/** Reads once per comment what its commands need: the PR head, the commit's state, the actor's permission. */
class Facts {
  private head?: Promise<Awaited<ReturnType<typeof readPullHead>>>;
  private state?: Promise<CommitState>;
  private permission?: Promise<Permission | "none">;
  constructor(private readonly inv: Invocation) {}
  pull() {
    return (this.head ??= readPullHead(this.inv.octokit, this.inv.repo, this.inv.pr));
  }
  async commit(): Promise<CommitState> {
    return await (this.state ??= this.pull().then((p) => readCommitState(this.inv.octokit, this.inv.repo, p.sha)));
  }
  /** Fresh after a build was started: the next command must see its check. */
  forget(): void {
    this.state = undefined;
  }
  perm() {
    return (this.permission ??= readPermission(this.inv.octokit, this.inv.repo, this.inv.actor));
  }
}

/** Runs one command for the actor on the PR. Exported for `check_run.rerequested`, which is `/retest <arch>`. */
export async function runCommand(inv: Invocation, command: Command, facts = new Facts(inv)): Promise<CommandResult> {
  if (command.name === "help") return { reply: helpText(), react: "eyes" };
  if (command.name === "promote") {
    const r = await handlePromoteCommand({ octokit: inv.octokit, repo: inv.repo, pr: inv.pr, actor: inv.actor, permission: await facts.perm() });
    return r.ok ? { react: "rocket" } : { reply: `\`/promote\` was not run: ${escapeCell(r.message, 2000)}` };
  }
  const pull = await facts.pull();
  if (pull.state !== "open") return { reply: `#${inv.pr} is ${pull.state}: flibs builds open pull requests only` };
  const state = await facts.commit();
  const setup = buildSetup(state);
  const permission = await facts.perm();
  const policy = "skip" in setup ? state.policy.policy : setup.policy;
  const auth = authorize(command, inv.actor, permission, policy);
  if (!auth.allowed) return { reply: `${inlineCode(`/${command.name}`)} was refused: ${auth.reason}.` };
  if ("skip" in setup) return { reply: `flibs does not build this repository: ${escapeCell(setup.skip, 1000)}` };
  const sha = pull.sha;
  return await inv.serial.run(`${inv.repo.owner}/${inv.repo.repo}@${sha}`, async () => {
    facts.forget();
    const fresh = await facts.commit();
    const builds = commitBuilds(sha, fresh.checks);
    const start = async (scratch: boolean, why: string, only?: Arch[], kept?: Partial<Record<Arch, string>>): Promise<CommandResult> => {
      const covers = approvalCoversHead({ sha, fromFork: pull.fromFork, checks: fresh.checks, ...(inv.writtenAt ? { writtenAt: inv.writtenAt } : {}) });
      if (!covers.ok) return { reply: `${inlineCode(`/${command.name}`)} did not start a build of ${inlineCode(sha.slice(0, 12))}: ${covers.reason}.` };
      const r = await startBuild(inv.octokit, inv.repo, {
        id: { sha, attempt: builds.nextAttempt, scratch },
        ...setup,
        pr: inv.pr,
        dispatchRef: inv.defaultBranch,
        why,
        ...(only ? { only } : {}),
        ...(kept ? { kept } : {}),
      });
      facts.forget();
      return "problem" in r ? { reply: `The build of ${inlineCode(sha.slice(0, 12))} could not start: ${escapeCell(r.problem, 2000)}` } : { react: "rocket" };
    };
    switch (command.name) {
      case "ok-to-test": {
        const named = approvalNamesHead({ ...(command.sha ? { named: command.sha } : {}), head: sha, policy: setup.policy });
        if (!named.ok) return { reply: `${inlineCode("/ok-to-test")} approved nothing: ${named.reason}.` };
        if (builds.builds.length) return { react: "+1" }; // already approved or trusted: nothing to start twice
        const r = await start(false, `@${inv.actor} approved ${sha.slice(0, 12)} with /ok-to-test.`);
        return "reply" in r ? r : { react: "rocket", reply: `Approved ${inlineCode(sha.slice(0, 12))} (this commit only: a new push needs a new approval); its build started.` };
      }
      case "build":
        return await start(command.scratch, `@${inv.actor} asked for a${command.scratch ? " scratch" : ""} build with /build.`);
      case "retest": {
        // The same click delivered again (or clicked twice) after its attempt started: nothing more to start.
        if (inv.rerunOf !== undefined && command.arches.length === 1 && rerunAlreadyStarted(inv.rerunOf, command.arches[0]!, await listChecks(inv.octokit, inv.repo, sha, BUILD_CHECK))) {
          return { react: "+1" };
        }
        const latest = builds.builds.at(-1);
        if (!latest) return { reply: `Nothing to retest: ${inlineCode(sha.slice(0, 12))} was never built. Use ${inlineCode("/build")}.` };
        // The arches not rebuilt keep the digests their own jobs reported: by value, never from a tag.
        const kept = keptDigests(latest.id, await listChecks(inv.octokit, inv.repo, sha, BUILD_CHECK));
        const planned = plannedArches(setup.config, setup.policy);
        const arches = command.arches.length ? command.arches : archesToRetest(planned, builds);
        if (arches.length === 0) return { reply: `Every arch of ${inlineCode(formatBuildId(latest.id))} passed or is still running: name the arches to rebuild, e.g. ${inlineCode("/retest aarch64")}.` };
        return await start(latest.id.scratch, `@${inv.actor} asked to rebuild ${arches.join(", ")} with /retest.`, arches, kept);
      }
      case "cancel": {
        const cancelled = await cancelRunningBuilds(inv.octokit, inv.repo, setup.policy.build.workflow, builds.builds);
        if (cancelled.length === 0) return { reply: `No build of ${inlineCode(sha.slice(0, 12))} is running.` };
        return { react: "+1" };
      }
    }
  });
}

/** `issue_comment.created` on a pull request: every command of the comment, each authorised on its own. */
export async function onComment(app: Probot, context: Context<"issue_comment.created">, serial: PerCommit): Promise<CommandResult[]> {
  const { comment, issue } = context.payload;
  if (!issue.pull_request || comment.user?.type === "Bot" || comment.performed_via_github_app) return [];
  const parsed = parseComment(comment.body);
  if (parsed.commands.length === 0 && parsed.problems.length === 0) return [];
  const repo = context.repo();
  const octokit = await installationOctokit(app, context);
  const inv: Invocation = { octokit, repo, pr: issue.number, actor: comment.user?.login ?? "", defaultBranch: context.payload.repository.default_branch, serial, ...(comment.created_at ? { writtenAt: comment.created_at } : {}) };
  if (!(await acknowledge(octokit, repo, comment.id))) {
    context.log.info({ comment: comment.id }, "flibs commands: comment already handled (redelivery)");
    return [];
  }
  const facts = new Facts(inv);
  const results: CommandResult[] = [];
  const replies: string[] = [];
  if (parsed.problems.length) {
    replies.push([...parsed.problems.map((p) => `- ${p}`), "", `Valid commands: ${COMMAND_NAMES.map((n) => inlineCode(`/${n}`)).join(", ")}.`].join("\n"));
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
  if (reaction) await react(octokit, repo, comment.id, reaction);
  if (replies.length) await reply(octokit, repo, issue.number, `${mention(inv.actor)}\n\n${replies.join("\n\n")}`);
  return results;
}

/** "Re-run" on `flibs/build (<arch>)` in the checks UI: `/retest <arch>` by whoever clicked it. */
export async function onRerequested(app: Probot, context: Context<"check_run.rerequested">, serial: PerCommit): Promise<CommandResult | undefined> {
  const check = context.payload.check_run;
  const arch = archFromCheckName(check.name);
  const pr = check.pull_requests[0]?.number;
  if (!arch || pr === undefined) return undefined;
  const repo = context.repo();
  const octokit = await installationOctokit(app, context);
  const inv: Invocation = { octokit, repo, pr, actor: context.payload.sender.login, defaultBranch: context.payload.repository.default_branch, serial, rerunOf: check.external_id ?? "" };
  const r = await runCommand(inv, { name: "retest", arches: [arch] });
  if ("reply" in r) await reply(octokit, repo, pr, `${mention(inv.actor)} Re-run of ${inlineCode(check.name)}: ${r.reply}`);
  return r;
}
