/**
 * GitHub Actions, faked for tests, attached to a FakeGitHub (its routes are validated against GitHub's OpenAPI
 * description like every other fake route). Workflows are executed from the files of local git repositories
 * (engine.ts), and every run and job is reported back as GitHub does: through the REST API and through signed
 * `workflow_run` / `workflow_job` deliveries POSTed to the App.
 *
 * REST (https://docs.github.com/en/rest/actions):
 * - `POST .../actions/workflows/{workflow_id}/dispatches`: `ref` must be a branch or tag (422 "No ref found for:
 *   <ref>"); inputs are checked against `on.workflow_dispatch.inputs` (422 "Unexpected inputs provided: [...]",
 *   "Required input '<name>' not provided", a choice outside its options), defaulted and typed;
 *   `return_run_details: true` answers 200 `{ workflow_run_id, run_url, html_url }` (github.com since
 *   2026-02-19), else 204; with `ghes: true` the field is refused with 400, as GitHub Enterprise Server 3.20 and
 *   older do. Messages as GitHub words them (seen in public issue threads quoting the API).
 * - `GET .../actions/runs` (filters `actor`, `branch`, `event`, `status`, `created`, `head_sha`, `per_page`,
 *   `page`), `GET .../actions/workflows/{workflow_id}/runs`, `GET .../actions/runs/{run_id}`,
 *   `GET .../actions/runs/{run_id}/jobs` (`filter=latest|all`), `GET .../actions/jobs/{job_id}`,
 *   `POST .../actions/runs/{run_id}/cancel` (202; 409 once completed), and each job's check run annotations
 *   `GET .../check-runs/{check_run_id}/annotations` (a job's id is its check run's id on GitHub).
 * Deliveries: `workflow_run` requested / in_progress / completed and `workflow_job` queued / waiting /
 * in_progress / completed, in the order they happen, one at a time, each signed with the webhook secret
 * (`X-Hub-Signature-256`) with GitHub's delivery headers
 * (https://docs.github.com/en/webhooks/webhook-events-and-payloads#delivery-headers).
 */
import { createHmac, randomUUID } from "node:crypto";
import { ConcurrencyGroups } from "./concurrency.js";
import { RunExecution, type EngineHost } from "./engine.js";
import { asString, evaluateToken } from "./expressions.js";
import { git, LocalRepos } from "./git-repos.js";
import { now } from "./job-steps.js";
import type { Delivery, JobRecord, RunnerSpec, RunRecord } from "./model.js";
import type { InputConfig } from "./parser.js";
import { RunnerPool } from "./runner-pool.js";
import { restJob, restRun, workflowJobPayload, workflowRunPayload, type RepoInfo, type Urls } from "./shapes.js";
import { field, loadWorkflow, WorkflowLoadError } from "./workflow-loader.js";
import { notFound, signWebhook, type FakeGitHub, type GitHubReply, type GitHubRequest } from "../github.js";

/** The App id of GitHub Actions' own check runs (the `github-actions` App). */
export const GITHUB_ACTIONS_APP_ID = 15368;

export interface FakeActionsOptions {
  /** The local repositories workflows are read from (default: a new, empty set). */
  repos?: LocalRepos;
  /** The self-hosted runners jobs run on. */
  runners: RunnerSpec[];
  /** Where deliveries go (the App's webhook URL), with the webhook secret and the App's id. */
  webhook?: { url: string; secret: string; appId: number };
  /**
   * Or a function each delivery is handed to instead (an App in this process: `(d) => app.receive(d.event,
   * d.payload, d.id)`), one at a time in the order they happen, as over HTTP. Without `webhook` or `deliver`,
   * deliveries are only recorded (`deliveries`), for a test to replay in the order it wants.
   */
  deliver?: (delivery: Delivery) => Promise<void>;
  /** The installation the deliveries name (default 1), or the installation of each repository (one per organisation). */
  installationId?: number | ((repo: string) => number);
  /** Repository secrets and variables, by `owner/name`. */
  secrets?: Record<string, Record<string, string>>;
  vars?: Record<string, Record<string, string>>;
  /** Environments by name; one with `reviewers` holds its jobs in `waiting` until `approve()`; its `secrets` are its jobs' only. */
  environments?: Record<string, { reviewers?: boolean; secrets?: Record<string, string> }>;
  /** Behave as GitHub Enterprise Server 3.20 and older: `return_run_details` is answered 400. */
  ghes?: boolean;
  /** The web URL (`https://github.com`, or the GHES host's). Default: github.com, or the fake's own origin for a GHES base URL. */
  serverUrl?: string;
  /** Who dispatches through the REST route (`github.actor`, the runs' `actor`): default `octocat`; an App's runs say `<slug>[bot]`. */
  actor?: string;
  /** Milliseconds a `timeout-minutes` minute lasts (default 60000), so tests can reach timeouts. */
  minuteMs?: number;
}

const DOCS = "https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event";

export class FakeActions {
  readonly repos: LocalRepos;
  readonly runs: RunRecord[] = [];
  readonly deliveries: Delivery[] = [];
  private readonly executions = new Map<number, RunExecution>();
  private readonly pool: RunnerPool;
  private readonly concurrency = new ConcurrencyGroups();
  private readonly workflowIds = new Map<string, number>();
  private readonly repoIds = new Map<string, number>();
  private readonly runNumbers = new Map<number, number>();
  private readonly approvals: Array<{ runId: number; environment: string; resolve(ok: boolean): void }> = [];
  private nextRunId = 7_000_000_001;
  private nextJobId = 30_000_000_001;
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    readonly github: FakeGitHub,
    readonly options: FakeActionsOptions,
  ) {
    this.repos = options.repos ?? new LocalRepos();
    this.pool = new RunnerPool(options.runners);
    this.routes();
  }

  /** API URL as the runs' and jobs' links give it: the fake's listening URL once it listens. */
  urls(): Urls {
    const api = this.github.listeningUrl ?? this.github.baseUrl;
    const ghes = /\/api\/v3$/.test(api);
    return { api, server: this.options.serverUrl ?? (ghes ? new URL(api).origin : "https://github.com") };
  }

  /** Runs of a repository's workflow file (`flibs.yml`), oldest first. */
  runsOf(repo: string, workflowFile?: string): RunRecord[] {
    return this.runs.filter(
      (r) => r.repo.toLowerCase() === repo.toLowerCase() && (!workflowFile || r.path === `.github/workflows/${workflowFile}`),
    );
  }

  run(id: number): RunRecord {
    const r = this.runs.find((x) => x.id === id);
    if (!r) throw new Error(`no run ${id}`);
    return r;
  }

  /** Resolves when every run has completed and every delivery has been answered. */
  async idle(): Promise<void> {
    while (this.pending > 0 || this.runs.some((r) => r.status !== "completed")) {
      await Promise.all(this.runs.map((r) => r.done));
      await this.queue;
      if (this.pending > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
    }
  }

  /** Approves (or rejects) the jobs of a run waiting for an environment's reviewers. */
  approve(runId: number, environment?: string, approved = true): number {
    const mine = this.approvals.filter((a) => a.runId === runId && (!environment || a.environment === environment));
    for (const a of mine) {
      this.approvals.splice(this.approvals.indexOf(a), 1);
      a.resolve(approved);
    }
    return mine.length;
  }

  /** Cancels a run as `POST .../cancel` does; false when it had completed. */
  cancel(runId: number): boolean {
    return this.executions.get(runId)?.cancel() ?? false;
  }

  /** Dispatches a workflow as the REST API would, without going through HTTP (same checks, same answer). */
  async dispatch(
    repo: string,
    workflowFile: string,
    body: { ref: string; inputs?: Record<string, unknown>; return_run_details?: boolean },
    actor = this.options.actor ?? "octocat",
  ): Promise<GitHubReply> {
    return await this.dispatchRequest(repo, workflowFile, body, actor);
  }

  /** More self-hosted runners come online: queued jobs they match start on them. */
  addRunners(runners: RunnerSpec[]): void {
    this.pool.runners.push(...runners);
    this.pool.poke();
  }

  /** Hands later deliveries to `deliver` (or, with undefined, only records them from now on). */
  deliverTo(deliver: ((delivery: Delivery) => Promise<void>) | undefined): void {
    this.options.deliver = deliver;
  }

  /** Deliveries of one event (and action), in the order they were sent. */
  sent(event?: "workflow_run" | "workflow_job", action?: string): Delivery[] {
    return this.deliveries.filter((d) => (!event || d.event === event) && (!action || d.action === action));
  }

  async cleanup(): Promise<void> {
    for (const e of this.executions.values()) e.cancel("The test ended.");
    await Promise.allSettled(this.runs.map((r) => r.done));
    await this.queue;
    await this.repos.cleanup();
  }

  // ---- REST -------------------------------------------------------------------------------------------

  private routes(): void {
    const gh = this.github;
    gh.on("POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches", async (req) => {
      const body = req.body as { ref: string; inputs?: Record<string, unknown>; return_run_details?: boolean };
      return await this.dispatchRequest(repoOf(req), req.params.workflow_id!, body, this.options.actor ?? "octocat");
    });
    gh.on("GET /repos/{owner}/{repo}/actions/runs", (req) => this.listRuns(this.runsOf(repoOf(req)), req));
    gh.on("GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs", (req) => {
      const id = req.params.workflow_id!;
      const runs = this.runsOf(repoOf(req)).filter((r) => String(r.workflow_id) === id || r.path === `.github/workflows/${id}`);
      return this.listRuns(runs, req);
    });
    gh.on("GET /repos/{owner}/{repo}/actions/runs/{run_id}", (req) => {
      const run = this.findRun(req);
      return run ? { status: 200, body: this.restRun(run) } : notFound();
    });
    gh.on("GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs", (req) => {
      const run = this.findRun(req);
      if (!run) return notFound();
      const jobs = run.jobs.map((j) => restJob(j, run, this.urls()));
      return { status: 200, body: { total_count: jobs.length, jobs: page(jobs, req) } };
    });
    gh.on("GET /repos/{owner}/{repo}/actions/jobs/{job_id}", (req) => {
      const found = this.findJob(repoOf(req), Number(req.params.job_id));
      return found ? { status: 200, body: restJob(found.job, found.run, this.urls()) } : notFound();
    });
    gh.on("POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel", (req) => {
      const run = this.findRun(req);
      if (!run) return notFound();
      if (!this.cancel(run.id))
        return {
          status: 409,
          body: {
            message: "Cannot cancel a workflow run that is completed.",
            documentation_url: "https://docs.github.com/rest/actions/workflow-runs#cancel-a-workflow-run",
            status: "409",
          },
        };
      return { status: 202, body: {} };
    });
    gh.on("GET /repos/{owner}/{repo}/check-runs/{check_run_id}/annotations", (req) => {
      const found = this.findJob(repoOf(req), Number(req.params.check_run_id));
      if (!found) return undefined;
      const blob = `${this.urls().server}/${found.run.repo}/blob/${found.run.head_sha}`;
      return { status: 200, body: found.job.annotations.map((a) => ({ ...a, blob_href: `${blob}/${a.path}` })) };
    });
  }

  private findRun(req: GitHubRequest): RunRecord | undefined {
    return this.runsOf(repoOf(req)).find((r) => r.id === Number(req.params.run_id));
  }

  private findJob(repo: string, id: number): { job: JobRecord; run: RunRecord } | undefined {
    for (const run of this.runsOf(repo)) {
      const job = run.jobs.find((j) => j.id === id);
      if (job) return { job, run };
    }
    return undefined;
  }

  private restRun(run: RunRecord): any {
    return restRun(run, this.repoInfo(run.repo), this.urls(), { message: "Commit", timestamp: run.created_at, tree_id: "0".repeat(40) });
  }

  private listRuns(runs: RunRecord[], req: GitHubRequest): GitHubReply {
    const q = req.query;
    const statusOk = (r: RunRecord) => {
      if (!q.status) return true;
      return q.status === r.status || q.status === r.conclusion;
    };
    const filtered = runs
      .filter(
        (r) =>
          (!q.actor || r.actor === q.actor) &&
          (!q.branch || r.head_branch === q.branch) &&
          (!q.event || r.event === q.event) &&
          (!q.head_sha || r.head_sha === q.head_sha) &&
          statusOk(r),
      )
      .sort((a, b) => b.id - a.id);
    return { status: 200, body: { total_count: filtered.length, workflow_runs: page(filtered, req).map((r) => this.restRun(r)) } };
  }

  // ---- dispatch ------------------------------------------------------------------------------------------

  private async dispatchRequest(
    repo: string,
    workflowId: string,
    body: { ref: string; inputs?: Record<string, unknown>; return_run_details?: boolean },
    actor: string,
  ): Promise<GitHubReply> {
    const unprocessable = (message: string): GitHubReply => ({ status: 422, body: { message, documentation_url: DOCS, status: "422" } });
    if (this.options.ghes && body.return_run_details !== undefined) {
      return {
        status: 400,
        body: { message: 'Invalid request.\n\n"return_run_details" is not a permitted key.', documentation_url: DOCS, status: "400" },
      };
    }
    if (!this.repos.dir(repo)) return notFound();
    const ref = await this.repos.resolveRef(repo, body.ref);
    if (!ref) return unprocessable(`No ref found for: ${body.ref}`);
    const path = /^\d+$/.test(workflowId)
      ? [...this.workflowIds].find(([k, v]) => v === Number(workflowId) && k.startsWith(`${repo.toLowerCase()}:`))?.[0].split(":")[1]
      : `.github/workflows/${workflowId}`;
    if (!path || (await this.repos.show(repo, ref.sha, path)) === undefined) return notFound();
    let workflow;
    try {
      workflow = await loadWorkflow(this.repos, repo, ref.sha, path);
    } catch (e) {
      if (e instanceof WorkflowLoadError) this.github.problems.push(`dispatch of ${repo}/${path}: invalid workflow: ${e.message}`);
      return unprocessable(`Workflow does not have 'workflow_dispatch' trigger`);
    }
    const dispatch = workflow.template.events?.workflow_dispatch;
    if (!dispatch) return unprocessable("Workflow does not have 'workflow_dispatch' trigger");
    const defs = dispatch.inputs ?? {};
    const given = body.inputs ?? {};
    const unexpected = Object.keys(given).filter((k) => !Object.keys(defs).some((d) => d.toLowerCase() === k.toLowerCase()));
    if (unexpected.length) return unprocessable(`Unexpected inputs provided: ${JSON.stringify(unexpected)}`);
    const inputs: Record<string, unknown> = {};
    const eventInputs: Record<string, string> = {};
    for (const [name, def] of Object.entries(defs) as Array<[string, InputConfig]>) {
      const key = Object.keys(given).find((k) => k.toLowerCase() === name.toLowerCase());
      let value = key === undefined ? undefined : given[key];
      if (value === undefined || value === "") {
        if (def.required && def.default === undefined) return unprocessable(`Required input '${name}' not provided`);
        value = value ?? def.default ?? (def.type === "boolean" ? false : "");
      }
      if (def.type === "choice" && def.options && !def.options.includes(asString(value)))
        return unprocessable(`Provided value '${asString(value)}' for input '${name}' not in the list of allowed values`);
      if (def.type === "boolean") {
        const s = asString(value);
        if (s !== "true" && s !== "false") return unprocessable(`Provided value '${s}' for input '${name}' is not a boolean`);
        inputs[name] = s === "true";
      } else if (def.type === ("number" as InputConfig["type"])) {
        inputs[name] = Number(value);
      } else {
        inputs[name] = asString(value);
      }
      eventInputs[name] = asString(value);
    }
    const run = this.createRun(repo, path, workflow, ref, inputs, eventInputs, actor);
    if (body.return_run_details) {
      const urls = this.urls();
      return {
        status: 200,
        body: {
          workflow_run_id: run.id,
          run_url: `${urls.api}/repos/${repo}/actions/runs/${run.id}`,
          html_url: `${urls.server}/${repo}/actions/runs/${run.id}`,
        },
      };
    }
    return { status: 204, body: "" };
  }

  private createRun(
    repo: string,
    path: string,
    workflow: Awaited<ReturnType<typeof loadWorkflow>>,
    ref: { sha: string; ref: string; name: string; type: "branch" | "tag" },
    inputs: Record<string, unknown>,
    eventInputs: Record<string, string>,
    actor: string,
  ): RunRecord {
    const urls = this.urls();
    const workflowId = this.workflowId(repo, path);
    const runNumber = (this.runNumbers.get(workflowId) ?? 0) + 1;
    this.runNumbers.set(workflowId, runNumber);
    const id = this.nextRunId++;
    const name = asString(evaluateToken(field(workflow.root, "name"), {})) || path;
    const info = this.repoInfo(repo);
    const [owner] = repo.split("/");
    const repository = { full_name: repo, name: repo.split("/")[1], owner: { login: owner }, id: info.id };
    const github: Record<string, unknown> = {
      action: "",
      actor,
      actor_id: "1",
      api_url: urls.api,
      base_ref: "",
      event: { inputs: eventInputs, ref: ref.ref, repository, sender: { login: actor }, workflow: path },
      event_name: "workflow_dispatch",
      graphql_url: /\/api\/v3$/.test(urls.api) ? urls.api.replace(/\/v3$/, "/graphql") : `${urls.api}/graphql`,
      head_ref: "",
      ref: ref.ref,
      ref_name: ref.name,
      ref_protected: false,
      ref_type: ref.type,
      repository: repo,
      repository_id: String(info.id),
      repository_owner: owner,
      repository_owner_id: "1",
      repositoryUrl: `git://${new URL(urls.server).host}/${repo}.git`,
      retention_days: "90",
      run_id: String(id),
      run_number: String(runNumber),
      run_attempt: "1",
      secret_source: "Actions",
      server_url: urls.server,
      sha: ref.sha,
      triggering_actor: actor,
      workflow: name,
      workflow_ref: `${repo}/${path}@${ref.ref}`,
      workflow_sha: ref.sha,
    };
    let displayTitle = name;
    try {
      const runName = field(workflow.root, "run-name");
      if (runName) displayTitle = asString(evaluateToken(runName, { github, inputs, vars: this.options.vars?.[repo] ?? {} }));
    } catch (e) {
      this.github.problems.push(`run-name of ${repo}/${path}: ${(e as Error).message}`);
    }
    let markDone!: () => void;
    const run: RunRecord = {
      id,
      run_number: runNumber,
      run_attempt: 1,
      repo,
      workflow_id: workflowId,
      path,
      name,
      display_title: displayTitle,
      event: "workflow_dispatch",
      status: "queued",
      conclusion: null,
      head_sha: ref.sha,
      head_branch: ref.name,
      ref: ref.ref,
      actor,
      inputs,
      created_at: now(),
      updated_at: now(),
      run_started_at: now(),
      jobs: [],
      referenced_workflows: [],
      notes: [],
      done: new Promise<void>((r) => (markDone = r)),
    };
    this.runs.push(run);
    const exec = new RunExecution(this.host(), run, workflow, {
      github,
      inputs,
      vars: this.options.vars?.[repo] ?? {},
      secrets: { ...(this.options.secrets?.[repo] ?? {}) },
    });
    this.executions.set(id, exec);
    this.sendRun(run, "requested");
    // The run starts after the dispatch is answered, as on GitHub.
    setImmediate(() => void exec.execute().finally(markDone));
    return run;
  }

  private host(): EngineHost {
    return {
      repos: this.repos,
      pool: this.pool,
      concurrency: this.concurrency,
      minuteMs: this.options.minuteMs ?? 60_000,
      serverUrl: this.urls().server,
      environments: this.options.environments ?? {},
      nextJobId: () => this.nextJobId++,
      checkRun: (job, run) =>
        this.github.addCheckRun({
          id: job.id,
          repo: run.repo,
          head_sha: run.head_sha,
          name: job.name,
          app_id: GITHUB_ACTIONS_APP_ID,
          status: "queued",
          conclusion: null,
          completed_at: null,
          details_url: `${this.urls().server}/${run.repo}/actions/runs/${run.id}/job/${job.id}`,
        }),
      runEvent: (run, action) => this.sendRun(run, action),
      jobEvent: (job, run, action) => this.sendJob(job, run, action),
      problem: (m) => this.github.problems.push(`FakeActions: ${m}`),
      approval: (run, environment) => new Promise<boolean>((resolve) => this.approvals.push({ runId: run.id, environment, resolve })),
    };
  }

  private workflowId(repo: string, path: string): number {
    const key = `${repo.toLowerCase()}:${path}`;
    let id = this.workflowIds.get(key);
    if (id === undefined) {
      id = 161_000 + this.workflowIds.size + 1;
      this.workflowIds.set(key, id);
    }
    return id;
  }

  private repoInfo(repo: string): RepoInfo {
    const key = repo.toLowerCase();
    let id = this.repoIds.get(key);
    if (id === undefined) {
      id = 500_000 + this.repoIds.size + 1;
      this.repoIds.set(key, id);
    }
    const installation = this.options.installationId;
    return {
      fullName: repo,
      id,
      installationId: typeof installation === "function" ? installation(repo) : (installation ?? 1),
      actor: "octocat",
    };
  }

  // ---- deliveries ----------------------------------------------------------------------------------------

  private sendRun(run: RunRecord, action: "requested" | "in_progress" | "completed"): void {
    const rest = this.restRun(run);
    this.deliver("workflow_run", action, workflowRunPayload(action, rest, run, this.repoInfo(run.repo), this.urls()));
  }

  private sendJob(job: JobRecord, run: RunRecord, action: "queued" | "waiting" | "in_progress" | "completed"): void {
    this.deliver("workflow_job", action, workflowJobPayload(action, job, run, this.repoInfo(run.repo), this.urls()));
  }

  /** Builds the payload now (the state at the event), sends it after those before it. */
  private deliver(event: "workflow_run" | "workflow_job", action: string, payload: unknown): void {
    // A snapshot: the run's records keep changing after the event.
    const body = JSON.stringify(payload);
    const delivery: Delivery = { id: randomUUID(), event, action, payload: JSON.parse(body), status: 0, response: "" };
    this.deliveries.push(delivery);
    const hook = this.options.webhook;
    const handOver = this.options.deliver;
    if (!hook && !handOver) return;
    this.pending++;
    this.queue = this.queue.then(async () => {
      try {
        if (handOver) {
          await handOver(delivery);
          delivery.status = 200;
          return;
        }
        if (!hook) return;
        const res = await fetch(hook.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "user-agent": "GitHub-Hookshot/fake",
            "x-github-event": event,
            "x-github-delivery": delivery.id,
            "x-github-hook-id": "1",
            "x-github-hook-installation-target-type": "integration",
            "x-github-hook-installation-target-id": String(hook.appId),
            "x-hub-signature": `sha1=${createHmac("sha1", hook.secret).update(body).digest("hex")}`,
            "x-hub-signature-256": signWebhook(hook.secret, body),
          },
          body,
        });
        delivery.status = res.status;
        delivery.response = await res.text();
      } catch (e) {
        // A function that threw is the App failing the delivery: GitHub records it as a 500.
        if (handOver) delivery.status = 500;
        delivery.response = (e as Error).message;
      } finally {
        this.pending--;
        if (this.pending === 0) for (const w of this.idleWaiters.splice(0)) w();
      }
    });
  }
}

function repoOf(req: GitHubRequest): string {
  return `${req.params.owner}/${req.params.repo}`;
}

function page<T>(items: T[], req: GitHubRequest): T[] {
  const perPage = Math.min(Number(req.query.per_page ?? 30), 100);
  const p = Math.max(Number(req.query.page ?? 1), 1);
  return items.slice((p - 1) * perPage, p * perPage);
}

/**
 * The "flibs" repository as a workflow's `uses:` and checkout read it: this project's reusable workflows, the
 * Action's metadata and its bundle, committed from the working tree and tagged (`v1` by default). `dist` puts
 * another bundle in place of `action/dist` (a stand-in, where the real builder is not wanted).
 */
export async function commitFlibsRepo(
  repos: LocalRepos,
  fullName: string,
  root: string,
  options: { tags?: string[]; dist?: string } = {},
): Promise<string> {
  const { join } = await import("node:path");
  return await repos.create(
    fullName,
    {
      ".github/workflows": { from: join(root, ".github/workflows") },
      "action/action.yml": { from: join(root, "action/action.yml") },
      "action/dist": { from: options.dist ?? join(root, "action/dist") },
    },
    { tags: options.tags ?? ["v1"], message: "flibs" },
  );
}

export { git };
