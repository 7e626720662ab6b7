/**
 * One workflow run executed as GitHub's Actions service orders it
 * (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax):
 * - `concurrency` of the workflow, of each reusable workflow it calls and of each job (concurrency.ts);
 * - jobs start when all their `needs` are done; a job's `if` (default `success()`: every job it needs
 *   succeeded; `failure()`: one of its ancestors failed; `cancelled()`: the run was cancelled) decides whether it
 *   runs; a job not run is `skipped` (or `cancelled` once the run is), and GitHub reports it with one
 *   `workflow_job.completed` only;
 * - `strategy.matrix` expanded (matrix.ts), `fail-fast` (default true) cancelling the other legs when one fails,
 *   `max-parallel`; outputs of a matrix job are the last written value of each output across its legs;
 * - `runs-on` evaluated and matched to the test's runner pool; `environment` recorded, one with required
 *   reviewers holds its job in `waiting` until the test approves; `permissions` recorded (a called workflow's
 *   job can only have less than its caller's); `timeout-minutes` (default 360) cancels the job;
 * - a job that `uses:` a reusable workflow runs the called workflow's jobs named `<caller> / <called>`, with its
 *   `with:` inputs (typed and defaulted by `on.workflow_call.inputs`), `secrets:` (explicit or `inherit`), the
 *   caller's `github` context, and returns the called workflow's `outputs`;
 * - the run's conclusion: `cancelled` when cancelled, else `failure` when a job failed, else `cancelled` when a
 *   job was (a timeout), else `success`; a reusable workflow that does not load is `startup_failure`.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FakeCheckRun } from "../github.js";
import type { ConcurrencyGroups } from "./concurrency.js";
import { asString, evaluate, evaluateStringMap, evaluateToken, truthy, type Contexts } from "./expressions.js";
import type { LocalRepos } from "./git-repos.js";
import { jobDisplayName } from "./job-names.js";
import { failure, now, runSteps } from "./job-steps.js";
import { expandMatrix, type Combination } from "./matrix.js";
import type { Conclusion, JobRecord, RunRecord, RunnerSpec } from "./model.js";
import { isBasicExpression, isString, type Job, type ReusableWorkflowJob, type TemplateToken, type WorkflowJob } from "./parser.js";
import type { RunnerPool } from "./runner-pool.js";
import type { StepProcess } from "./step-process.js";
import { field, loadWorkflow, parseUses, rawJob, WorkflowLoadError, type LoadedWorkflow } from "./workflow-loader.js";

export interface EngineHost {
  repos: LocalRepos;
  pool: RunnerPool;
  concurrency: ConcurrencyGroups;
  minuteMs: number;
  serverUrl: string;
  environments: Record<string, { reviewers?: boolean; secrets?: Record<string, string> }>;
  nextJobId(): number;
  checkRun(job: JobRecord, run: RunRecord): FakeCheckRun;
  runEvent(run: RunRecord, action: "in_progress" | "completed"): void;
  jobEvent(job: JobRecord, run: RunRecord, action: "queued" | "waiting" | "in_progress" | "completed"): void;
  problem(message: string): void;
  /** A job holding for its environment's reviewers waits on this. */
  approval(run: RunRecord, environment: string): Promise<boolean>;
}

interface JobResult {
  result: Conclusion;
  outputs: Record<string, string>;
}

interface Scope {
  parents: string[];
  workflow: LoadedWorkflow;
  github: Record<string, unknown>;
  inputs: Record<string, unknown>;
  vars: Record<string, string>;
  secrets: Record<string, string>;
  env: Record<string, string>;
  defaults: { shell?: string; workingDirectory?: string };
  /** Permissions of the caller (undefined at the top): a called job's are clamped to them. */
  callerPermissions?: Record<string, string>;
  /** Permissions a job gets when neither it nor its workflow sets any. */
  inheritedPermissions: Record<string, string>;
  workflowName: string;
}

const LEVELS = ["none", "read", "write"];
const SCOPES = [
  "actions",
  "attestations",
  "checks",
  "contents",
  "deployments",
  "discussions",
  "id-token",
  "issues",
  "models",
  "packages",
  "pages",
  "pull-requests",
  "repository-projects",
  "security-events",
  "statuses",
];
/** The restricted default of GITHUB_TOKEN (contents and packages read, metadata read). */
const DEFAULT_PERMISSIONS: Record<string, string> = { contents: "read", metadata: "read", packages: "read" };

export class RunExecution {
  private cancelled?: string;
  private readonly stoppers = new Set<(reason: string) => void>();
  private startedEvent = false;
  private completed = false;

  constructor(
    private readonly host: EngineHost,
    readonly run: RunRecord,
    private readonly workflow: LoadedWorkflow,
    private readonly top: Omit<
      Scope,
      "parents" | "workflow" | "env" | "defaults" | "callerPermissions" | "inheritedPermissions" | "workflowName"
    >,
  ) {}

  /** Cancels the run: running steps are killed, jobs not started end `cancelled`. */
  cancel(reason = "The run was canceled by @" + this.run.actor + "."): boolean {
    if (this.completed) return false;
    if (!this.cancelled) {
      this.cancelled = reason;
      this.run.notes.push(reason);
      for (const stop of [...this.stoppers]) stop(reason);
      this.host.pool.poke();
    }
    return true;
  }

  async execute(): Promise<void> {
    let conclusion: Conclusion;
    try {
      conclusion = await this.executeTop();
    } catch (e) {
      this.host.problem(`run ${this.run.id} (${this.run.path}): ${(e as Error).stack ?? String(e)}`);
      conclusion = "failure";
    }
    this.completed = true;
    this.run.status = "completed";
    this.run.conclusion = conclusion;
    this.run.updated_at = now();
    this.host.runEvent(this.run, "completed");
  }

  private async executeTop(): Promise<Conclusion> {
    const root = this.workflow;
    const scopeBase = { ...this.top, parents: [], workflow: root, workflowName: this.run.name, inheritedPermissions: DEFAULT_PERMISSIONS };
    const scope: Scope = { ...scopeBase, env: {}, defaults: {} };
    scope.env = evaluateStringMap(field(root.root, "env"), this.contexts(scope));
    scope.defaults = defaultsOf(field(root.root, "defaults"), this.contexts(scope));
    const release = await this.workflowConcurrency(scope, "top level workflow");
    if (release === undefined) return "cancelled";
    try {
      const results = await this.executeJobs(scope);
      if (this.cancelled) return "cancelled";
      const all = [...results.values()].map((r) => r.result);
      if (all.includes("startup_failure")) return "startup_failure";
      if (all.includes("failure")) return "failure";
      if (all.includes("cancelled")) return "cancelled";
      return "success";
    } finally {
      release();
    }
  }

  /** Holds the workflow's `concurrency` group; undefined when the run was cancelled instead. */
  private async workflowConcurrency(scope: Scope, label: string): Promise<(() => void) | undefined> {
    const c = concurrencyOf(field(scope.workflow.root, "concurrency"), this.contexts(scope));
    if (!c) return () => {};
    const got = await this.host.concurrency.acquire(
      c.group,
      { runId: this.run.id, label, cancel: (r) => this.cancel(r) },
      c.cancelInProgress,
      () => {
        if (scope.parents.length === 0) this.run.status = "pending";
      },
    );
    if (!got.ok) {
      this.cancel(got.reason);
      return undefined;
    }
    if (scope.parents.length === 0 && this.run.status === "pending") this.run.status = "queued";
    return got.release;
  }

  private contexts(scope: Scope, extra: Contexts = {}): Contexts {
    return { github: scope.github, inputs: scope.inputs, vars: scope.vars, secrets: scope.secrets, env: scope.env, ...extra };
  }

  private async executeJobs(scope: Scope): Promise<Map<string, JobResult>> {
    const jobs = scope.workflow.template.jobs ?? [];
    const byId = new Map(jobs.map((j) => [j.id.value, j]));
    const results = new Map<string, JobResult>();
    const started = new Map<string, Promise<void>>();
    const start = (job: WorkflowJob): Promise<void> => {
      const id = job.id.value;
      let p = started.get(id);
      if (!p) {
        p = (async () => {
          await Promise.all((job.needs ?? []).map((n) => start(byId.get(n.value)!)));
          try {
            results.set(id, await this.executeJob(job, scope, results, byId));
          } catch (e) {
            this.host.problem(`job ${id}: ${(e as Error).stack ?? String(e)}`);
            results.set(id, { result: "failure", outputs: {} });
          }
        })();
        started.set(id, p);
      }
      return p;
    };
    await Promise.all(jobs.map(start));
    return results;
  }

  private async executeJob(
    job: WorkflowJob,
    scope: Scope,
    results: Map<string, JobResult>,
    byId: Map<string, WorkflowJob>,
  ): Promise<JobResult> {
    const needs = (job.needs ?? []).map((n) => n.value);
    const ancestors = new Set<string>();
    const walk = (id: string) => {
      for (const n of byId.get(id)?.needs ?? []) {
        if (ancestors.has(n.value)) continue;
        ancestors.add(n.value);
        walk(n.value);
      }
    };
    walk(job.id.value);
    const needsCtx = Object.fromEntries(needs.map((n) => [n, results.get(n) ?? { result: "skipped", outputs: {} }]));
    const status = {
      success: () => !this.cancelled && needs.every((n) => results.get(n)?.result === "success"),
      failure: () => [...ancestors].some((a) => results.get(a)?.result === "failure"),
      cancelled: () => this.cancelled !== undefined,
    };
    const ctx = this.contexts(scope, { needs: needsCtx });
    delete ctx.secrets;
    delete ctx.env;
    let runIt: boolean;
    try {
      runIt = truthy(evaluate(job.if.expression, ctx, status));
    } catch (e) {
      return this.failedJob(job, scope, (e as Error).message);
    }
    if (!runIt) {
      const record = this.newJob(job, scope, this.skippedName(job, ctx), [], undefined);
      this.finishJob(record, this.cancelled ? "cancelled" : "skipped", false);
      return { result: record.conclusion!, outputs: {} };
    }
    let strategy: Record<string, unknown> = {};
    let combos: Array<Combination | undefined> = [undefined];
    try {
      if (job.strategy) strategy = (evaluateToken(job.strategy, ctx) as Record<string, unknown>) ?? {};
      if (strategy.matrix !== undefined) combos = expandMatrix(strategy.matrix);
    } catch (e) {
      return this.failedJob(job, scope, (e as Error).message);
    }
    const isMatrix = strategy.matrix !== undefined;
    const failFast = strategy["fail-fast"] === undefined ? true : truthy(strategy["fail-fast"]);
    const maxParallel = strategy["max-parallel"] === undefined ? combos.length : Number(strategy["max-parallel"]);
    const legs = combos.map(() => ({
      stop: undefined as ((reason: string) => void) | undefined,
      stopped: undefined as string | undefined,
    }));
    const outputs: Record<string, string> = {};
    const conclusions: Conclusion[] = [];
    let slots = maxParallel;
    const waiting: Array<() => void> = [];
    const runLeg = async (i: number) => {
      if (slots <= 0) await new Promise<void>((r) => waiting.push(r));
      slots--;
      const leg = legs[i]!;
      const strategyCtx = { "fail-fast": failFast, "job-index": i, "job-total": combos.length, "max-parallel": maxParallel };
      const legCtx = { ...this.contexts(scope), needs: needsCtx, matrix: combos[i] ?? {}, strategy: strategyCtx };
      const r = await (job.type === "reusableWorkflowJob"
        ? this.executeReusable(job, scope, legCtx, combos[i], isMatrix, leg)
        : this.executeLeg(job as Job, scope, legCtx, combos[i], isMatrix, leg));
      conclusions.push(r.result);
      for (const [k, v] of Object.entries(r.outputs)) if (v !== "") outputs[k] = v;
      if (r.result === "failure" && failFast) {
        for (const other of legs) {
          if (other === leg) continue;
          other.stopped ??= 'The strategy configuration was canceled because "' + job.id.value + '" failed';
          other.stop?.(other.stopped);
        }
      }
      slots++;
      waiting.shift()?.();
    };
    await Promise.all(combos.map((_, i) => runLeg(i)));
    const result: Conclusion = conclusions.includes("startup_failure")
      ? "startup_failure"
      : conclusions.includes("failure")
        ? "failure"
        : conclusions.includes("cancelled")
          ? "cancelled"
          : conclusions.every((c) => c === "skipped")
            ? "skipped"
            : "success";
    return { result, outputs };
  }

  /**
   * A job that did not run keeps its `name:` as written when it has a matrix (never expanded); otherwise its
   * name is evaluated as usual (inputs, github, needs).
   */
  private skippedName(job: WorkflowJob, ctx: Contexts): string {
    if (job.strategy) return unexpandedName(job);
    try {
      return this.jobName(job, ctx, undefined, false);
    } catch {
      return unexpandedName(job);
    }
  }

  private failedJob(job: WorkflowJob, scope: Scope, message: string): JobResult {
    const record = this.newJob(job, scope, unexpandedName(job), [], undefined);
    record.annotations.push(failure(message));
    this.finishJob(record, "failure", false);
    return { result: "failure", outputs: {} };
  }

  private jobName(job: WorkflowJob, ctx: Contexts, combo: Combination | undefined, isMatrix: boolean): string {
    let name: { evaluated: string; hasExpression: boolean } | undefined;
    if (job.name) {
      const hasExpression = isBasicExpression(job.name);
      name = { evaluated: asString(evaluateToken(job.name, ctx)), hasExpression };
    }
    return jobDisplayName(job.id.value, name, combo, isMatrix);
  }

  private newJob(job: WorkflowJob, scope: Scope, name: string, labels: string[], combo: Combination | undefined): JobRecord {
    const record: JobRecord = {
      id: this.host.nextJobId(),
      run_id: this.run.id,
      name: [...scope.parents, name].join(" / "),
      jobId: job.id.value,
      parents: scope.parents,
      workflow_name: this.run.name,
      status: "queued",
      conclusion: null,
      labels,
      runner_name: null,
      runner_id: null,
      created_at: now(),
      started_at: now(),
      completed_at: null,
      ...(combo ? { matrix: combo } : {}),
      permissions: {},
      outputs: {},
      steps: [],
      annotations: [],
      check_run: undefined as unknown as FakeCheckRun,
      head_sha: this.run.head_sha,
      head_branch: this.run.head_branch,
    };
    record.check_run = this.host.checkRun(record, this.run);
    this.run.jobs.push(record);
    return record;
  }

  private finishJob(record: JobRecord, conclusion: Conclusion, ran: boolean): void {
    record.status = "completed";
    record.conclusion = conclusion;
    record.completed_at = now();
    if (!ran) record.started_at = record.completed_at;
    record.check_run.status = "completed";
    record.check_run.conclusion = conclusion;
    record.check_run.completed_at = record.completed_at;
    this.host.jobEvent(record, this.run, "completed");
  }

  private async executeLeg(
    job: Job,
    scope: Scope,
    ctx: Contexts,
    combo: Combination | undefined,
    isMatrix: boolean,
    leg: { stop?: (r: string) => void; stopped?: string },
  ): Promise<JobResult> {
    const raw = rawJob(scope.workflow, job.id.value);
    const baseCtx = { ...ctx };
    delete baseCtx.secrets;
    delete baseCtx.env;
    let name: string;
    let labels: string[];
    try {
      name = this.jobName(job, baseCtx, combo, isMatrix);
      labels = labelsOf(evaluateToken(job["runs-on"], baseCtx));
    } catch (e) {
      const record = this.newJob(job, scope, unexpandedName(job), [], combo);
      record.annotations.push(failure((e as Error).message));
      this.finishJob(record, "failure", false);
      return { result: "failure", outputs: {} };
    }
    const record = this.newJob(job, scope, name, labels, combo);
    record.permissions = this.permissions(raw, scope);
    let stopReason: string | undefined = leg.stopped;
    let proc: StepProcess | undefined;
    const stop = (reason: string) => {
      stopReason ??= reason;
      proc?.abort(reason);
      this.host.pool.poke();
      wakeApproval?.();
    };
    let wakeApproval: (() => void) | undefined;
    leg.stop = stop;
    this.stoppers.add(stop);
    if (this.cancelled) stop(this.cancelled);
    const stopped = () => stopReason;
    this.host.jobEvent(record, this.run, "queued");
    let runner: RunnerSpec | undefined;
    let releaseGroup: (() => void) | undefined;
    try {
      const environment = environmentOf(job.environment ? evaluateToken(job.environment, baseCtx) : undefined);
      if (environment) record.environment = environment;
      if (environment && this.host.environments[environment.name]?.reviewers && !stopped()) {
        record.status = "waiting";
        this.host.jobEvent(record, this.run, "waiting");
        const approved = await Promise.race([
          this.host.approval(this.run, environment.name),
          new Promise<boolean>((r) => (wakeApproval = () => r(false))),
        ]);
        if (!approved && !stopped()) stop(`The deployment to environment '${environment.name}' was rejected.`);
        if (!stopped()) record.status = "queued";
      }
      const jc = concurrencyOf(job.concurrency, baseCtx);
      if (jc && !stopped()) {
        const got = await this.host.concurrency.acquire(
          jc.group,
          { runId: this.run.id, label: record.name, cancel: stop },
          jc.cancelInProgress,
          () => {},
        );
        if (got.ok) releaseGroup = got.release;
        else stop(got.reason);
      }
      if (!stopped()) runner = await this.host.pool.acquire(labels, () => stopped() !== undefined);
      if (!runner) {
        if (stopReason) record.annotations.push(failure(stopReason));
        this.finishJob(record, stopReason?.includes("rejected") ? "failure" : "cancelled", false);
        return { result: record.conclusion!, outputs: {} };
      }
      record.status = "in_progress";
      record.started_at = now();
      record.runner_name = runner.name;
      record.runner_id = this.host.pool.id(runner);
      record.token = `ghs_${randomBytes(18).toString("hex")}`;
      record.check_run.status = "in_progress";
      if (!this.startedEvent) {
        this.startedEvent = true;
        this.run.status = "in_progress";
        this.run.run_started_at = now();
        this.host.runEvent(this.run, "in_progress");
      }
      this.host.jobEvent(record, this.run, "in_progress");
      const timeoutMinutes = Number(evaluateToken(field(raw, "timeout-minutes"), baseCtx) ?? 360);
      const timer = setTimeout(
        () => stop(`The job running on runner ${runner!.name} has exceeded the maximum execution time of ${timeoutMinutes} minutes.`),
        timeoutMinutes * this.host.minuteMs,
      );
      // A job in an environment also reads that environment's secrets (they win over the repository's).
      const envSecrets = record.environment ? (this.host.environments[record.environment.name]?.secrets ?? {}) : {};
      const secrets = { ...scope.secrets, ...envSecrets, GITHUB_TOKEN: record.token };
      const github = { ...scope.github, job: job.id.value, token: record.token };
      const jobCtx = { ...ctx, github, secrets };
      let jobEnv: Record<string, string> = {};
      let steps;
      const eventDir = await mkdtemp(join(tmpdir(), "fake-actions-event-"));
      try {
        jobEnv = { ...scope.env, ...evaluateStringMap(job.env, { ...jobCtx, env: scope.env }) };
        const eventPath = join(eventDir, "event.json");
        await writeFile(eventPath, JSON.stringify(scope.github.event ?? {}));
        steps = await runSteps({
          record,
          steps: job.steps,
          rawJob: raw,
          contexts: { ...jobCtx, github: { ...github, event_path: eventPath } },
          env: jobEnv,
          defaults: { ...scope.defaults, ...defaultsOf(field(raw, "defaults"), jobCtx) },
          runner,
          repos: this.host.repos,
          serverUrl: this.host.serverUrl,
          baseEnv: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", LANG: process.env.LANG ?? "C.UTF-8" },
          secrets: Object.values(secrets),
          stopped,
          // A step started after the cancel passed its `if` (always(), cancelled()): it runs, as on GitHub.
          track: (p) => (proc = p),
          minuteMs: this.host.minuteMs,
          problem: (m) => this.host.problem(m),
        });
      } finally {
        clearTimeout(timer);
        await rm(eventDir, { recursive: true, force: true });
      }
      let conclusion = steps.conclusion;
      if (stopReason) {
        conclusion = "cancelled";
        record.annotations.push(failure(stopReason));
      }
      try {
        const outCtx = {
          ...jobCtx,
          env: { ...jobEnv, ...steps.env },
          steps: steps.steps,
          job: { status: conclusion },
          runner: { name: runner.name, os: "Linux", arch: runner.arch ?? "X64" },
        };
        // An output that evaluates empty is not set (so the legs of a matrix combine outputs of different names).
        record.outputs = Object.fromEntries(Object.entries(evaluateStringMap(job.outputs, outCtx)).filter(([, v]) => v !== ""));
      } catch (e) {
        record.annotations.push(failure((e as Error).message));
        conclusion = "failure";
      }
      this.finishJob(record, conclusion, true);
      return { result: conclusion, outputs: record.outputs };
    } finally {
      this.stoppers.delete(stop);
      releaseGroup?.();
      if (runner) this.host.pool.release(runner);
    }
  }

  private permissions(raw: TemplateToken | undefined, scope: Scope): Record<string, string> {
    const own = field(raw, "permissions") ?? field(scope.workflow.root, "permissions");
    let p = own ? permissionsOf(evaluateToken(own, {})) : scope.inheritedPermissions;
    if (scope.callerPermissions) {
      const caller = scope.callerPermissions;
      p = Object.fromEntries(
        Object.entries(p).map(([k, v]) => [k, LEVELS[Math.min(LEVELS.indexOf(v), LEVELS.indexOf(caller[k] ?? "none"))]!]),
      );
    }
    return p;
  }

  private async executeReusable(
    job: ReusableWorkflowJob,
    scope: Scope,
    ctx: Contexts,
    combo: Combination | undefined,
    isMatrix: boolean,
    leg: { stop?: (r: string) => void; stopped?: string },
  ): Promise<JobResult> {
    const baseCtx = { ...ctx };
    delete baseCtx.env;
    const name = this.jobName(job, { ...baseCtx, secrets: undefined }, combo, isMatrix);
    const startup = (message: string): JobResult => {
      const record = this.newJob(job, scope, name, [], combo);
      record.annotations.push(failure(message));
      this.run.notes.push(message);
      this.finishJob(record, "startup_failure", false);
      record.conclusion = "failure";
      return { result: "startup_failure", outputs: {} };
    };
    let called: LoadedWorkflow;
    const target = parseUses(job.ref.value, { repo: scope.workflow.repo, sha: scope.workflow.sha });
    try {
      called = await loadWorkflow(this.host.repos, target.repo, target.ref, target.path);
    } catch (e) {
      if (e instanceof WorkflowLoadError) this.host.problem(`run ${this.run.id}: ${e.message}`);
      return startup((e as Error).message);
    }
    if (!this.run.referenced_workflows.some((r) => r.sha === called.sha && r.path.startsWith(`${target.repo}/${target.path}`))) {
      this.run.referenced_workflows.push({
        path: `${target.repo}/${target.path}@${target.ref}`,
        sha: called.sha,
        ...(target.ref === called.sha ? {} : { ref: (await this.host.repos.resolveRef(target.repo, target.ref))?.ref ?? target.ref }),
      } as { path: string; sha: string; ref: string });
    }
    const call = called.template.events?.workflow_call;
    if (!call) return startup(`${job.ref.value}: workflow_call key is not defined in the referenced workflow.`);
    let inputs: Record<string, unknown>;
    let secrets: Record<string, string>;
    try {
      const given = (evaluateToken(job["input-values"], baseCtx) as Record<string, unknown> | undefined) ?? {};
      inputs = typedInputs(call.inputs ?? {}, given, job.ref.value, { github: scope.github });
      if (job["inherit-secrets"]) secrets = { ...scope.secrets };
      else secrets = evaluateStringMap(job["secret-values"], ctx);
      for (const [k, def] of Object.entries(call.secrets ?? {}))
        if (def.required && !(k in secrets)) throw new Error(`Secret ${k} is required, but not provided while calling.`);
    } catch (e) {
      return startup((e as Error).message);
    }
    const callerRaw = rawJob(scope.workflow, job.id.value);
    const callerPermissions = this.permissions(callerRaw, scope);
    const inner: Scope = {
      parents: [...scope.parents, name],
      workflow: called,
      github: scope.github,
      inputs,
      vars: scope.vars,
      secrets,
      env: {},
      defaults: {},
      callerPermissions,
      inheritedPermissions: callerPermissions,
      workflowName: scope.workflowName,
    };
    inner.env = evaluateStringMap(field(called.root, "env"), this.contexts(inner));
    inner.defaults = defaultsOf(field(called.root, "defaults"), this.contexts(inner));
    if (leg.stopped) return { result: "cancelled", outputs: {} };
    const release = await this.workflowConcurrency(inner, name);
    if (!release) return { result: "cancelled", outputs: {} };
    try {
      const results = await this.executeJobs(inner);
      const all = [...results.values()].map((r) => r.result);
      const result: Conclusion = all.includes("startup_failure")
        ? "startup_failure"
        : all.includes("failure")
          ? "failure"
          : all.includes("cancelled") || this.cancelled
            ? "cancelled"
            : "success";
      const jobsCtx = Object.fromEntries([...results].map(([id, r]) => [id, r]));
      const outputs: Record<string, string> = {};
      const defs = field(field(field(called.root, "on"), "workflow_call"), "outputs");
      if (defs) {
        const evaluated = evaluateToken(defs, { github: scope.github, inputs, vars: scope.vars, jobs: jobsCtx }) as Record<
          string,
          { value?: unknown }
        >;
        for (const [k, v] of Object.entries(evaluated ?? {})) outputs[k] = asString(v?.value);
      }
      return { result, outputs };
    } finally {
      release();
    }
  }
}

/** The display name of a job that never expanded (skipped, or failed before its matrix): its `name:` as written. */
function unexpandedName(job: WorkflowJob): string {
  if (!job.name) return job.id.value;
  if (isString(job.name)) return job.name.value;
  if (isBasicExpression(job.name)) return job.name.source ?? `\${{ ${job.name.expression} }}`;
  return job.id.value;
}

function labelsOf(v: unknown): string[] {
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) return v.map((x) => asString(x));
  if (v && typeof v === "object") {
    const o = v as { labels?: unknown; group?: unknown };
    return labelsOf(o.labels ?? []);
  }
  throw new Error(`runs-on evaluated to ${JSON.stringify(v)}`);
}

function environmentOf(v: unknown): { name: string; url?: string } | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v === "string") return { name: v };
  const o = v as { name?: unknown; url?: unknown };
  return { name: asString(o.name), ...(o.url ? { url: asString(o.url) } : {}) };
}

function concurrencyOf(token: TemplateToken | undefined, ctx: Contexts): { group: string; cancelInProgress: boolean } | undefined {
  if (!token) return undefined;
  const v = evaluateToken(token, ctx);
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v === "string") return { group: v, cancelInProgress: false };
  const o = v as { group?: unknown; "cancel-in-progress"?: unknown };
  return { group: asString(o.group), cancelInProgress: truthy(o["cancel-in-progress"]) };
}

function defaultsOf(token: TemplateToken | undefined, ctx: Contexts): { shell?: string; workingDirectory?: string } {
  const v = (evaluateToken(token, ctx) as { run?: { shell?: string; "working-directory"?: string } } | undefined)?.run;
  return { ...(v?.shell ? { shell: v.shell } : {}), ...(v?.["working-directory"] ? { workingDirectory: v["working-directory"] } : {}) };
}

function permissionsOf(v: unknown): Record<string, string> {
  if (v === "read-all") return { ...Object.fromEntries(SCOPES.map((s) => [s, "read"])), metadata: "read" };
  if (v === "write-all") return { ...Object.fromEntries(SCOPES.map((s) => [s, "write"])), metadata: "read" };
  const o = (v ?? {}) as Record<string, string>;
  return { ...o, metadata: "read" };
}

/** `with:` of a reusable workflow call, checked and typed against `on.workflow_call.inputs`. */
function typedInputs(
  defs: Record<string, { type: string; required?: boolean; default?: unknown }>,
  given: Record<string, unknown>,
  ref: string,
  ctx: Contexts,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const lower = new Map(Object.keys(defs).map((k) => [k.toLowerCase(), k]));
  for (const k of Object.keys(given))
    if (!lower.has(k.toLowerCase())) throw new Error(`Invalid input, ${k} is not defined in the referenced workflow.`);
  for (const [k, def] of Object.entries(defs)) {
    const key = Object.keys(given).find((g) => g.toLowerCase() === k.toLowerCase());
    let v: unknown = key === undefined ? undefined : given[key];
    if (v === undefined) {
      if (def.required) throw new Error(`Input ${k} is required, but not provided while calling ${ref}.`);
      const d = def.default;
      v = d !== null && typeof d === "object" ? evaluateToken(d as TemplateToken, ctx) : d;
    }
    if (def.type === "boolean") out[k] = v === undefined ? false : typeof v === "boolean" ? v : v === "true";
    else if (def.type === "number") out[k] = v === undefined ? 0 : Number(v);
    else out[k] = v === undefined ? "" : asString(v);
  }
  return out;
}
