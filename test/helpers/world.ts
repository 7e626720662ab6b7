/**
 * One GitHub, as a repository lives on it, for every suite that talks to the App: repositories and their files at
 * each commit (real local git repositories: SHAs, trees and tags are git's), the organisation policy, people and
 * their roles, pull requests, comments and reactions, deployments and their statuses, the App itself (`GET
 * /app`), check runs (FakeGitHub's store: what the App writes is what it reads back) and GitHub Actions, which
 * runs the shipped workflow files (test/helpers/actions). Every request is checked against GitHub's OpenAPI
 * description and GraphQL schema by the FakeGitHub underneath.
 *
 *   const world = useWorld({ policy: POLICY });          // a fresh world per test
 *   const head = await world.repo("my-org/hello", { Dockerfile, "container.yaml": "image: hello\n" });
 *   world.role("member", "write");
 *   world.pull({ number: 7, head, author: "member" });
 *   const app = await createTestApp();
 *   world.deliverTo(app);                                 // the runs' workflow_run / workflow_job events
 *   await app.receive("pull_request", world.pullEvent(7, "opened"));
 *   await world.settled();                                // every run done, every delivery answered
 *
 * The shipped workflows run a stand-in for the Action's bundle (test/fixtures/actions/stand-in-action) unless
 * `action: "bundle"`: what it does per arch (pass, fail, hold, the digest it reports, whether it pushes to a
 * registry) is the test's choice (`standIn`). Deliveries of the runs go to an App in this process (`deliverTo`), to
 * a URL (`webhook`, an App in its own process), or are only recorded for the test to replay in any order.
 */
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import { externalId } from "../../src/core/plan/build-id.js";
import type { Arch } from "../../src/core/platform.js";
import { formatDigestsMarker } from "../../src/core/report/custody.js";
import { formatIndexMarker } from "../../src/core/report/index-marker.js";
import { formatPlanMarker } from "../../src/core/report/plan-marker.js";
import { ROOT } from "./app-process.js";
import {
  actionsFixture,
  commitFlibsRepo,
  FakeActions,
  type Delivery,
  type FakeActionsOptions,
  type LocalRepos,
  type RunnerSpec,
  type RunRecord,
} from "./actions/index.js";
import { git } from "./actions/git-repos.js";
import { examplePayload, type TestApp } from "./github-app.js";
import {
  notFound,
  TEST_APP_ID,
  useFakeGitHub,
  type FakeCheckRun,
  type FakeGitHub,
  type FakeGitHubOptions,
  type GitHubRequest,
} from "./github.js";

export type Role = "admin" | "maintain" | "write" | "triage" | "read";

export interface Pull {
  repo: string;
  number: number;
  head: string;
  headRef: string;
  author: string;
  /** `owner/name` of the fork the head lives in; unset for a branch of the repository itself. */
  fork?: string;
  state: "open" | "closed";
  /** The merge commit, once merged. */
  merged?: string;
  base: string;
}

export interface Deployment {
  id: number;
  repo: string;
  body: any;
  statuses: any[];
}

/** What the stand-in Action does (test/fixtures/actions/stand-in-action/dist/index.js reads it on every run). */
export interface StandIn {
  /** Push images and indexes to the candidate registry (a loopback test registry): the App reads them back. */
  push?: boolean;
  /** These arches' builds fail, as a failing image test does. */
  fail?: string[];
  /** These arches' builds keep running until released (`standIn` again without them); a cancel ends them. */
  hold?: string[];
  /** The digest an arch's job reports in its notice, instead of what it built. */
  report?: Record<string, string>;
  publish?: { fail?: boolean; leave_out?: string[]; report?: string };
  promote?: { fail?: boolean };
  /** The same keys for the builds of one commit, one build id (`<sha>.<attempt>`) or one repository only. */
  commits?: Record<string, Omit<StandIn, "commits" | "builds" | "repos" | "push">>;
  builds?: Record<string, Omit<StandIn, "commits" | "builds" | "repos" | "push">>;
  repos?: Record<string, Omit<StandIn, "commits" | "builds" | "repos" | "push">>;
}

export interface WorldOptions {
  /** The organisation of the container repositories and of the flibs repository (default `my-org`). */
  org?: string;
  /** The App under test: its id and slug (`GET /app`; its runs are triggered by `<slug>[bot]`). */
  app?: { id: number; slug: string };
  /** `.github/flibs.yml` of the organisation's `.github` repository; undefined: that repository has no policy. */
  policy?: string;
  /** The installation the runs' deliveries name (default 42). */
  installationId?: number;
  /** Organisations (lower case) whose repositories are in another installation: their runs' deliveries name it. */
  installations?: Record<string, number>;
  /** The runners of the organisation (default `runners()`: one GitHub-hosted, one x86_64, one aarch64). */
  runners?: RunnerSpec[];
  /** Deliveries to an App in another process. */
  webhook?: FakeActionsOptions["webhook"];
  /** The Action the shipped workflows run: the stand-in (default) or the committed bundle (real builds). */
  action?: "stand-in" | "bundle";
  vars?: FakeActionsOptions["vars"];
  secrets?: FakeActionsOptions["secrets"];
  environments?: FakeActionsOptions["environments"];
  /** GitHub Enterprise Server 3.20 and older: a dispatch with `return_run_details` is refused (400). */
  ghes?: boolean;
  minuteMs?: number;
}

/** Runners as an organisation has them: GitHub-hosted `ubuntu-latest` (prepare, publish, promote) and one per arch. */
export function runners(perKind = 1, env: Record<string, string> = {}): RunnerSpec[] {
  const out: RunnerSpec[] = [];
  for (let i = 1; i <= perKind; i++) {
    out.push(
      { name: `hosted-${i}`, labels: ["ubuntu-latest"], arch: "X64", env },
      { name: `x86-${i}`, labels: ["self-hosted", "linux", "x86_64"], arch: "X64", env },
      { name: `arm-${i}`, labels: ["self-hosted", "linux", "aarch64"], arch: "ARM64", env },
    );
  }
  return out;
}

const CALLERS = {
  ".github/workflows/flibs.yml": readFileSync(join(ROOT, "workflows-templates/flibs.yml"), "utf8"),
  ".github/workflows/flibs-promote.yml": readFileSync(join(ROOT, "workflows-templates/flibs-promote.yml"), "utf8"),
};

/** Legacy `permission` of a role, as the collaborator permission API answers next to `role_name`. */
const LEGACY: Record<Role, string> = { admin: "admin", maintain: "write", write: "write", triage: "read", read: "read" };

export class World {
  readonly org: string;
  readonly app: { id: number; slug: string };
  readonly installationId: number;
  readonly pulls: Pull[] = [];
  readonly comments: Array<{ id: number; repo: string; issue: number; body: string; by: string }> = [];
  /** Every reaction asked for, with GitHub's answer (201 new, 200 already there). */
  readonly reactions: Array<{ repo: string; comment: number; content: string; status: number }> = [];
  readonly deployments: Deployment[] = [];
  private readonly roles = new Map<string, Role | "none">();
  private readonly reacted = new Set<string>();
  private nextDeployment = 900;
  private nextComment = 1;
  private standInFile = "";
  private temp = "";
  private firstRepo?: string;
  actions!: FakeActions;

  private constructor(
    readonly github: FakeGitHub,
    readonly options: WorldOptions,
  ) {
    this.org = options.org ?? "my-org";
    this.app = options.app ?? { id: TEST_APP_ID, slug: "flibs" };
    this.installationId = options.installationId ?? 42;
  }

  /** A world on a started FakeGitHub: the App, the flibs repository (reusable workflows, action) and the policy. */
  static async create(github: FakeGitHub, options: WorldOptions = {}): Promise<World> {
    const w = new World(github, options);
    await w.start();
    return w;
  }

  private async start(): Promise<void> {
    this.temp = await mkdtemp(join(tmpdir(), "flibs-world-"));
    this.standInFile = join(this.temp, "stand-in.json");
    await writeFile(this.standInFile, "{}");
    this.actions = new FakeActions(this.github, {
      runners: this.withStandIn(this.options.runners ?? runners()),
      installationId: (repo) => this.options.installations?.[repo.split("/")[0]!.toLowerCase()] ?? this.installationId,
      actor: `${this.app.slug}[bot]`,
      ...(this.options.webhook ? { webhook: this.options.webhook } : {}),
      ...(this.options.vars ? { vars: this.options.vars } : {}),
      ...(this.options.secrets ? { secrets: this.options.secrets } : {}),
      ...(this.options.environments ? { environments: this.options.environments } : {}),
      ...(this.options.ghes ? { ghes: true } : {}),
      ...(this.options.minuteMs ? { minuteMs: this.options.minuteMs } : {}),
    });
    await commitFlibsRepo(
      this.repos,
      `${this.org}/flibs`,
      ROOT,
      this.options.action === "bundle" ? {} : { dist: actionsFixture("stand-in-action/dist").from },
    );
    this.policy(this.options.policy);
    this.github.acceptCheckRuns().listCheckRuns();
    this.serve();
  }

  /** Runners of the organisation that come online now (queued jobs they match start on them). */
  addRunners(specs: RunnerSpec[]): void {
    this.actions.addRunners(this.withStandIn(specs));
  }

  private withStandIn(specs: RunnerSpec[]): RunnerSpec[] {
    return specs.map((r) => ({ ...r, env: { FLIBS_STAND_IN: this.standInFile, ...(r.env ?? {}) } }));
  }

  get repos(): LocalRepos {
    return this.actions.repos;
  }

  /** Stops every run still going and removes the repositories. */
  async cleanup(): Promise<void> {
    await this.actions.cleanup();
    if (this.temp) await rm(this.temp, { recursive: true, force: true });
  }

  // ---- repositories ------------------------------------------------------------------------------------

  /**
   * Creates a container repository with one commit of `files` on `main` (plus the two caller workflows
   * `flibs init` writes, unless `callers: false`) and serves its files at every commit. Returns that commit.
   */
  async repo(fullName: string, files: Record<string, string>, options: { callers?: boolean } = {}): Promise<string> {
    const sha = await this.repos.create(fullName, { ...(options.callers === false ? {} : CALLERS), ...files });
    this.firstRepo ??= fullName;
    this.github.repoSource(fullName, (ref, path) => this.repos.show(fullName, ref === "HEAD" ? "main" : ref, path));
    return sha;
  }

  /**
   * Another name for a repository's git storage (one directory: what either name commits, both see), served with
   * the files of `files` at any ref: for many repositories that are only read and dispatched to (the bench).
   */
  aliasRepo(from: string, to: string): void {
    this.repos.alias(from, to);
  }

  /** Another repository holding exactly what `from` holds now (every branch, tag and commit), served like it. */
  async copyRepo(from: string, to: string): Promise<void> {
    await this.repos.copy(from, to);
    this.github.repoSource(to, (ref, path) => this.repos.show(to, ref === "HEAD" ? "main" : ref, path));
  }

  /** Commits `files` (changed or added) on `branch` (created from main) or on main. Returns the commit. */
  async commit(files: Record<string, string>, options: { repo?: string; branch?: string; message?: string } = {}): Promise<string> {
    return await this.repos.commit(this.repoName(options.repo), files, {
      ...(options.branch ? { branch: options.branch } : {}),
      ...(options.message ? { message: options.message } : {}),
    });
  }

  async tag(tag: string, sha: string, repo?: string): Promise<void> {
    await this.repos.tag(this.repoName(repo), tag, sha);
  }

  async tree(sha: string, repo?: string): Promise<string> {
    return (await git(this.repos.dir(this.repoName(repo))!, "rev-parse", `${sha}^{tree}`)).trim();
  }

  /**
   * Files served at any ref, with no git behind them: for suites whose commits are made-up SHAs and whose
   * builds never run. `ref` limits them to one ref.
   */
  files(fullName: string, files: Record<string, string>, options: { ref?: string } = {}): this {
    this.firstRepo ??= fullName;
    this.github.repoFiles(fullName, files, options);
    return this;
  }

  /** Sets the organisation policy (undefined: the `.github` repository exists but holds no policy file). */
  policy(text: string | undefined, org = this.org): this {
    this.github.repoFiles(`${org}/.github`, text === undefined ? {} : { ".github/flibs.yml": text });
    return this;
  }

  private repoName(repo?: string): string {
    const r = repo ?? this.firstRepo;
    if (!r) throw new Error("World: no repository yet (world.repo(...) first)");
    return r;
  }

  // ---- people -----------------------------------------------------------------------------------------------

  /** A person's role on a repository (or on every repository); `none`: not a collaborator (GitHub's 404). */
  role(login: string, role: Role | "none", repo?: string): this {
    this.roles.set(`${repo?.toLowerCase() ?? "*"}|${login}`, role);
    return this;
  }

  private roleOf(repo: string, login: string): Role | "none" {
    return this.roles.get(`${repo.toLowerCase()}|${login}`) ?? this.roles.get(`*|${login}`) ?? "read";
  }

  // ---- pull requests ----------------------------------------------------------------------------------------

  /** Opens a pull request (its head is what GraphQL and the REST API name as the head from now on). */
  pull(p: Partial<Pull> & { number: number; head: string; author: string }): Pull {
    const pull: Pull = { repo: this.repoName(p.repo), headRef: `pr-${p.number}`, state: "open", base: "main", ...p };
    const i = this.pulls.findIndex((x) => x.repo === pull.repo && x.number === pull.number);
    if (i >= 0) this.pulls.splice(i, 1);
    this.pulls.push(pull);
    this.github.pullHeads.set(`${pull.repo.toLowerCase()}#${pull.number}`, pull.head);
    return pull;
  }

  /** A push to the pull request's branch: its head moves. */
  pushTo(number: number, head: string, repo?: string): Pull {
    return this.pull({ ...this.pullOf(number, repo), head });
  }

  /** Merges a pull request into `sha` (a merge commit the test made). */
  merge(number: number, sha: string, repo?: string): Pull {
    return this.pull({ ...this.pullOf(number, repo), state: "closed", merged: sha });
  }

  pullOf(number: number, repo?: string): Pull {
    const name = this.repoName(repo);
    const p = this.pulls.find((x) => x.repo === name && x.number === number);
    if (!p) throw new Error(`World: no pull request #${number} in ${name}`);
    return p;
  }

  /** A `pull_request` delivery about the pull request as it is now, from `sender` (default its author). */
  pullEvent(number: number, action: string, options: { sender?: string; repo?: string; edit?: (p: any) => void } = {}): any {
    const p = this.pullOf(number, options.repo);
    return examplePayload("pull_request", action, {
      repo: p.repo,
      headSha: p.head,
      installationId: this.installationId,
      sender: options.sender ?? p.author,
      ...(p.fork ? { fork: p.fork } : {}),
      edit: (x) => {
        x.number = p.number;
        x.pull_request.number = p.number;
        x.pull_request.head.ref = p.headRef;
        x.pull_request.user = { ...x.pull_request.user, login: p.author };
        x.pull_request.state = p.state;
        x.pull_request.merged = p.merged !== undefined;
        x.pull_request.merge_commit_sha = p.merged ?? null;
        x.pull_request.base.ref = p.base;
        x.repository.default_branch = "main";
        options.edit?.(x);
      },
    });
  }

  /** An `issue_comment.created` delivery on the pull request (or a plain issue with `issue: true`). */
  commentEvent(number: number, body: string, by: string, options: { repo?: string; bot?: boolean; edit?: (p: any) => void } = {}): any {
    const repo = this.repoName(options.repo);
    const id = this.nextComment++;
    return examplePayload("issue_comment", "created", {
      repo,
      installationId: this.installationId,
      sender: by,
      edit: (p) => {
        p.repository.default_branch = "main";
        p.issue.number = number;
        p.issue.pull_request = {
          url: `https://api.github.com/repos/${repo}/pulls/${number}`,
          html_url: `https://github.com/${repo}/pull/${number}`,
          diff_url: null,
          patch_url: null,
        };
        p.comment.id = 100_000 + id;
        p.comment.body = body;
        p.comment.user = { ...p.comment.user, login: by, type: options.bot ? "Bot" : "User" };
        p.comment.performed_via_github_app = null;
        options.edit?.(p);
      },
    });
  }

  /** A `push` delivery of `sha` to `ref` (a branch or a tag), its head commit's tree as git has it. */
  async pushEvent(ref: string, sha: string, options: { repo?: string; sender?: string; edit?: (p: any) => void } = {}): Promise<any> {
    const repo = this.repoName(options.repo);
    const tree = await this.tree(sha, repo);
    return examplePayload("push", undefined, {
      repo,
      headSha: sha,
      installationId: this.installationId,
      ...(options.sender ? { sender: options.sender } : {}),
      edit: (p) => {
        p.ref = ref;
        p.after = sha;
        p.created = ref.startsWith("refs/tags/");
        p.deleted = false;
        p.repository.default_branch = "main";
        p.repository.master_branch = "main";
        p.head_commit = { ...(p.head_commit ?? {}), id: sha, tree_id: tree };
        options.edit?.(p);
      },
    });
  }

  // ---- GitHub Actions ---------------------------------------------------------------------------------------

  /** What the stand-in Action does from now on (read by each run of it). */
  async standIn(b: StandIn): Promise<void> {
    await writeFile(this.standInFile, JSON.stringify(b));
  }

  /** Hands the runs' deliveries, as they happen, to an App in this process (undefined: record them only). */
  deliverTo(app: TestApp | undefined): void {
    this.actions.deliverTo(app ? (d) => app.receive(d.event, d.payload, d.id) : undefined);
  }

  /** Delivers recorded deliveries again, one after the other, to `app`. */
  async replay(deliveries: readonly Delivery[], app: TestApp): Promise<void> {
    for (const d of deliveries) await app.receive(d.event, d.payload, d.id);
  }

  /** Every run completed and every delivery answered. */
  async settled(): Promise<void> {
    await this.actions.idle();
  }

  /** The runs of the caller workflow (`flibs.yml`, or `workflow`) of a repository, oldest first. */
  runs(workflow = "flibs.yml", repo?: string): RunRecord[] {
    return this.actions.runsOf(this.repoName(repo), workflow);
  }

  /** The build run of a build id (`<sha>.<attempt>[.scratch]`), found by its run-name. */
  buildRun(buildId: string, repo?: string): RunRecord {
    const run = this.runs("flibs.yml", repo).find((r) => r.display_title === `flibs build ${buildId}`);
    if (!run) throw new Error(`World: no run of flibs.yml for ${buildId}: ${this.actions.runs.map((r) => r.display_title).join(", ")}`);
    return run;
  }

  /** The recorded deliveries of one run (its workflow_run and its jobs' workflow_job events), in order. */
  deliveriesOf(run: RunRecord, filter: { event?: "workflow_run" | "workflow_job"; action?: string; job?: RegExp } = {}): Delivery[] {
    return this.actions.deliveries.filter((d) => {
      const runId = d.event === "workflow_run" ? d.payload.workflow_run.id : d.payload.workflow_job.run_id;
      if (runId !== run.id) return false;
      if (filter.event && d.event !== filter.event) return false;
      if (filter.action && d.action !== filter.action) return false;
      return !filter.job || (d.event === "workflow_job" && filter.job.test(d.payload.workflow_job.name));
    });
  }

  // ---- check runs ----------------------------------------------------------------------------------------------

  /** The App's own check runs on a commit (optionally of one name), oldest first. */
  checks(sha: string, name?: string, repo?: string): FakeCheckRun[] {
    const r = (repo ?? this.firstRepo)?.toLowerCase();
    return this.github.checkRuns.filter(
      (c) => c.head_sha === sha && (!r || c.repo === r) && (!name || c.name === name) && c.app_id === this.app.id,
    );
  }

  /** The check GitHub shows for a name on a commit: the newest one. */
  shown(sha: string, name: string, repo?: string): FakeCheckRun | undefined {
    return this.checks(sha, name, repo).sort((a, b) => b.id - a.id)[0];
  }

  /**
   * flibs' own check runs on a commit as the App's build flow leaves them after a build (`flibs/review`, one check
   * per planned arch, `flibs/build` with its plan, the digest each arch reported and, when it passed, the index
   * digest), for a test of what comes after a build without running one. `status: "in_progress"` leaves
   * `flibs/build` open (the run not finished); `appId` writes them as another App would. Returns `flibs/build`.
   */
  recordBuild(
    sha: string,
    o: {
      attempt?: number;
      scratch?: boolean;
      arches?: Arch[];
      failed?: Arch;
      index?: string;
      run?: number;
      pr?: number;
      status?: "in_progress" | "completed";
      appId?: number;
      repo?: string;
    } = {},
  ): FakeCheckRun {
    const repo = this.repoName(o.repo);
    const id = { sha, attempt: o.attempt ?? 1, scratch: o.scratch ?? false };
    const arches = o.arches ?? ["x86_64", "aarch64"];
    const app_id = o.appId ?? this.app.id;
    const open = o.status === "in_progress";
    const add = (name: string, ext: string | null, conclusion: string | null, summary: string | null) =>
      this.github.addCheckRun({
        repo,
        head_sha: sha,
        name,
        app_id,
        external_id: ext,
        summary,
        status: conclusion ? "completed" : "in_progress",
        conclusion,
        completed_at: conclusion ? "2026-11-22T10:00:00Z" : null,
      });
    if (!this.checks(sha, "flibs/review", repo).length || o.appId !== undefined) add("flibs/review", null, "success", "No findings.");
    const digests = new Map<Arch, string>();
    for (const arch of arches) {
      if (open) continue;
      const failed = o.failed === arch;
      if (!failed) digests.set(arch, `sha256:${createHash("sha256").update(`${sha} ${arch}`).digest("hex")}`);
      add(`flibs/build (${arch})`, externalId(id, arch), failed ? "failure" : "success", `Job of build ${sha}.${id.attempt} on ${arch}.`);
    }
    const ok = !open && !o.failed;
    const summary = [
      ok ? "Built" : open ? "Queued" : `Build incomplete (failed: ${o.failed})`,
      ok ? formatIndexMarker(o.index ?? `sha256:${createHash("sha256").update(`${sha} index`).digest("hex")}`) : "",
      formatPlanMarker({
        arches,
        building: arches,
        ...(o.pr !== undefined ? { pr: o.pr } : {}),
        ...(o.run !== undefined ? { run: o.run } : {}),
      }),
      digests.size ? formatDigestsMarker(digests) : "",
    ].join("\n");
    return add("flibs/build", externalId(id, "summary"), open ? null : ok ? "success" : "failure", summary);
  }

  // ---- routes ----------------------------------------------------------------------------------------------------

  private serve(): void {
    const g = this.github;
    const full = (req: GitHubRequest) => `${req.params.owner}/${req.params.repo}`;
    g.on("GET /app", () => ({
      status: 200,
      body: {
        id: this.app.id,
        slug: this.app.slug,
        name: this.app.slug,
        node_id: "A_1",
        owner: { login: this.org },
        permissions: {},
        events: [],
      },
    }));
    g.on("GET /repos/{owner}/{repo}/collaborators/{username}/permission", (req) => {
      const role = this.roleOf(full(req), req.params.username!);
      // Not a collaborator: GitHub answers 404 (a private repository).
      if (role === "none") return notFound();
      return { status: 200, body: { permission: LEGACY[role], role_name: role, user: { login: req.params.username } } };
    });
    g.on("GET /repos/{owner}/{repo}/pulls/{pull_number}", (req) => {
      const p = this.pulls.find((x) => x.repo.toLowerCase() === full(req).toLowerCase() && x.number === Number(req.params.pull_number));
      if (!p) return notFound();
      return {
        status: 200,
        body: {
          number: p.number,
          state: p.state,
          merged: p.merged !== undefined,
          merge_commit_sha: p.merged ?? null,
          html_url: `https://github.com/${p.repo}/pull/${p.number}`,
          user: { login: p.author },
          head: { sha: p.head, ref: p.headRef, repo: { full_name: p.fork ?? p.repo, fork: p.fork !== undefined } },
          base: { ref: p.base, repo: { full_name: p.repo, default_branch: "main" } },
        },
      };
    });
    g.on("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", (req) => ({
      status: 200,
      body: this.pulls
        .filter(
          (p) =>
            p.repo.toLowerCase() === full(req).toLowerCase() && (p.head === req.params.commit_sha || p.merged === req.params.commit_sha),
        )
        .map((p) => ({
          number: p.number,
          head: { sha: p.head, ref: p.headRef },
          merged_at: p.merged ? "2026-11-22T10:00:00Z" : null,
          merge_commit_sha: p.merged ?? null,
        })),
    }));
    g.on("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", async (req) => {
      const sha = await this.commitOf(full(req), req.params.commit_sha!);
      return sha ? { status: 200, body: { sha, tree: { sha: await this.tree(sha, full(req)) } } } : notFound();
    });
    g.on("GET /repos/{owner}/{repo}/commits/{ref}", async (req) => {
      const sha = await this.commitOf(full(req), req.params.ref!.replace(/^(tags|heads)\//, ""));
      return sha ? { status: 200, body: { sha, commit: { tree: { sha: await this.tree(sha, full(req)) } } } } : notFound();
    });
    // GitHub answers 201 for a new reaction and 200 for one this App already left on the comment.
    g.on("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", (req) => {
      const content = (req.body as { content: string }).content;
      const key = `${full(req).toLowerCase()}:${req.params.comment_id}:${content}`;
      const status = this.reacted.has(key) ? 200 : 201;
      this.reacted.add(key);
      this.reactions.push({ repo: full(req), comment: Number(req.params.comment_id), content, status });
      return { status, body: { id: this.reactions.length, content } };
    });
    g.on("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", (req) => {
      const body = (req.body as { body: string }).body;
      const id = this.nextComment++;
      this.comments.push({ id, repo: full(req), issue: Number(req.params.issue_number), body, by: `${this.app.slug}[bot]` });
      return { status: 201, body: { id, body } };
    });
    g.on("POST /repos/{owner}/{repo}/deployments", (req) => {
      const d: Deployment = { id: this.nextDeployment++, repo: full(req), body: req.body, statuses: [] };
      this.deployments.push(d);
      return { status: 201, body: { id: d.id, ...(req.body as object) } };
    });
    g.on("POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", (req) => {
      const d = this.deployments.find((x) => x.id === Number(req.params.deployment_id));
      if (!d) return notFound();
      d.statuses.push(req.body);
      return { status: 201, body: { id: d.statuses.length, ...(req.body as object) } };
    });
  }

  private async commitOf(repo: string, ref: string): Promise<string | undefined> {
    return this.repos.dir(repo) ? await this.repos.resolveCommit(repo, ref) : undefined;
  }
}

/**
 * A fresh world for every test of the file, on a FakeGitHub verified after each test (every request valid and
 * answered). The returned object is the current test's world.
 */
export function useWorld(options: WorldOptions & FakeGitHubOptions = {}): World {
  const github = useFakeGitHub(options);
  let current: World | undefined;
  beforeEach(async () => {
    current = await World.create(github, options);
  });
  afterEach(async () => {
    await current?.cleanup();
    current = undefined;
  });
  return new Proxy({} as World, {
    get(_target, key) {
      if (!current) throw new Error("useWorld: the world exists only inside a test");
      const v = Reflect.get(current, key, current) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(current) : v;
    },
  });
}
