/**
 * A job's steps on its runner, as the runner executes them
 * (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idsteps):
 * - a fresh `GITHUB_WORKSPACE` and `RUNNER_TEMP` per job (removed afterwards), the default variables
 *   (https://docs.github.com/en/actions/reference/workflows-and-actions/variables#default-environment-variables);
 * - `run:` written to a script in RUNNER_TEMP and run with the step's shell, bash being
 *   `bash --noprofile --norc -eo pipefail {0}` (`sh -e {0}` for sh), in `working-directory`;
 * - `env` of the workflow, then the job, then what earlier steps wrote to GITHUB_ENV, then the step's;
 *   GITHUB_PATH prepended to PATH for later steps; GITHUB_OUTPUT as `steps.<id>.outputs`;
 * - `actions/checkout@<any ref>` as a real `git clone` of the local repository (`repository`, `ref`, `path`,
 *   `persist-credentials`, which writes the token's `http.<server>/.extraheader` as checkout does);
 * - `uses: ./dir` as a JavaScript action: its action.yml parsed with the workflow parser, `node <main>` with every
 *   input as `INPUT_<NAME>` (upper-cased, spaces to `_`, hyphens kept), defaults applied and an
 *   "Unexpected input(s)" warning for an input the action does not declare;
 * - a failing step makes `success()` false for the next ones (unless `continue-on-error`: its outcome is
 *   failure, its conclusion success); `Process completed with exit code N.` is annotated as on GitHub.
 */
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import { asString, evaluate, evaluateStringMap, evaluateToken, truthy, type Contexts } from "./expressions.js";
import { git, type LocalRepos } from "./git-repos.js";
import type { Annotation, Conclusion, JobRecord, RunnerSpec, StepRecord } from "./model.js";
import {
  convertActionTemplate,
  NoOperationTraceWriter,
  parseAction,
  type ActionStep,
  type RunStep,
  type Step,
  type TemplateToken,
} from "./parser.js";
import { startProcess, type StepProcess } from "./step-process.js";
import { annotationOf, mask, parseCommand, parseKeyValueFile } from "./workflow-commands.js";
import { field, rawStep } from "./workflow-loader.js";

export interface StepsJob {
  record: JobRecord;
  steps: Step[];
  rawJob: TemplateToken | undefined;
  /** github, inputs, vars, needs, matrix, strategy, secrets (env, job, runner, steps are filled here). */
  contexts: Contexts;
  /** Workflow env then job env, evaluated. */
  env: Record<string, string>;
  defaults: { shell?: string; workingDirectory?: string };
  runner: RunnerSpec;
  repos: LocalRepos;
  serverUrl: string;
  /** GITHUB_* and other variables of every step. */
  baseEnv: Record<string, string>;
  secrets: string[];
  /** The job's cancellation: true once the run or job is cancelled or timed out. */
  stopped(): string | undefined;
  /** Registers the running process so a cancel or timeout can end it. */
  track(p: StepProcess | undefined): void;
  minuteMs: number;
  problem(message: string): void;
}

export interface StepsResult {
  conclusion: Conclusion;
  steps: Record<string, { outputs: Record<string, string>; outcome: Conclusion; conclusion: Conclusion }>;
  env: Record<string, string>;
}

const SHELLS: Record<string, { args: string[]; ext: string }> = {
  bash: { args: ["bash", "--noprofile", "--norc", "-eo", "pipefail", "{0}"], ext: ".sh" },
  sh: { args: ["sh", "-e", "{0}"], ext: ".sh" },
  python: { args: ["python3", "{0}"], ext: ".py" },
};

export async function runSteps(job: StepsJob): Promise<StepsResult> {
  const root = await mkdtempUnder(job.runner.name);
  const workspace = join(root, "workspace");
  const temp = join(root, "temp");
  const toolCache = join(root, "tool-cache");
  await Promise.all([mkdir(workspace, { recursive: true }), mkdir(temp, { recursive: true }), mkdir(toolCache, { recursive: true })]);
  const masks = new Set(job.secrets);
  const stepsCtx: StepsResult["steps"] = {};
  const envFromFiles: Record<string, string> = {};
  const pathPrefix: string[] = [];
  let failed = false;
  const runnerCtx = {
    name: job.runner.name,
    os: "Linux",
    arch: job.runner.arch ?? "X64",
    temp,
    tool_cache: toolCache,
    environment: "self-hosted",
    debug: "",
  };
  const githubCtx = { ...(job.contexts.github as object), workspace };
  const setup = addStep(job.record, "Set up job", "__setup");
  finishStep(setup, "success");
  try {
    for (let i = 0; i < job.steps.length; i++) {
      const step = job.steps[i]!;
      const raw = rawStep(job.rawJob, i);
      const jobStatus = job.stopped() ? "cancelled" : failed ? "failure" : "success";
      const ctx: Contexts = {
        ...job.contexts,
        github: githubCtx,
        runner: runnerCtx,
        steps: stepsCtx,
        job: { status: jobStatus, container: {}, services: {} },
        env: { ...job.env, ...envFromFiles },
      };
      const status = { success: () => !failed && !job.stopped(), failure: () => failed, cancelled: () => job.stopped() !== undefined };
      const record = addStep(job.record, defaultStepName(step), step.id);
      let name: string | undefined;
      try {
        if (step.name) name = asString(evaluateToken(step.name, ctx));
      } catch {
        // a name that does not evaluate keeps the default
      }
      if (name) record.name = name;
      let run: boolean;
      try {
        run = "if" in step && step.if ? truthy(evaluate(step.if.expression, ctx, status)) : !failed && !job.stopped();
      } catch (e) {
        finishStep(record, "failure", `##[error]${(e as Error).message}`);
        job.record.annotations.push(failure((e as Error).message));
        failed = true;
        continue;
      }
      if (!run) {
        finishStep(record, "skipped");
        stepsCtx[step.id] = { outputs: {}, outcome: "skipped", conclusion: "skipped" };
        continue;
      }
      record.status = "in_progress";
      record.started_at = now();
      const files = {
        output: join(temp, `set_output_${randomUUID()}`),
        env: join(temp, `set_env_${randomUUID()}`),
        path: join(temp, `add_path_${randomUUID()}`),
        summary: join(temp, `step_summary_${randomUUID()}`),
        state: join(temp, `save_state_${randomUUID()}`),
      };
      await Promise.all(Object.values(files).map((f) => writeFile(f, "")));
      let outcome: Conclusion;
      let stepEnv: Record<string, string>;
      try {
        stepEnv = { ...job.env, ...envFromFiles, ...evaluateStringMap("env" in step ? step.env : undefined, ctx) };
      } catch (e) {
        stepEnv = {};
        record.log += `##[error]${(e as Error).message}\n`;
      }
      const processEnv: Record<string, string> = {
        ...job.baseEnv,
        ...(job.runner.env ?? {}),
        ...stepEnv,
        ...githubVars(githubCtx as Record<string, unknown>),
        GITHUB_WORKSPACE: workspace,
        GITHUB_ACTION: step.id,
        GITHUB_OUTPUT: files.output,
        GITHUB_ENV: files.env,
        GITHUB_PATH: files.path,
        GITHUB_STEP_SUMMARY: files.summary,
        GITHUB_STATE: files.state,
        RUNNER_TEMP: temp,
        RUNNER_TOOL_CACHE: toolCache,
        RUNNER_NAME: job.runner.name,
        RUNNER_OS: "Linux",
        RUNNER_ARCH: job.runner.arch ?? "X64",
        RUNNER_ENVIRONMENT: "self-hosted",
        RUNNER_TRACKING_ID: `github_${randomUUID()}`,
        // The runner's own PATH (its environment) under what GITHUB_PATH added.
        PATH: [...pathPrefix, job.runner.env?.PATH ?? job.baseEnv.PATH ?? process.env.PATH ?? "/usr/bin:/bin"].join(":"),
      };
      const exec: Exec = {
        job,
        record,
        raw,
        ctx: { ...ctx, env: stepEnv },
        env: processEnv,
        workspace,
        temp,
        masks,
        timeoutMs: stepTimeout(raw, ctx, job.minuteMs),
      };
      try {
        outcome = "run" in step ? await runScript(exec, step as RunStep) : await runAction(exec, step as ActionStep);
      } catch (e) {
        record.log += `##[error]${(e as Error).message}\n`;
        outcome = "failure";
      }
      if (job.stopped() && outcome !== "success") outcome = "cancelled";
      let outputs: Record<string, string> = {};
      try {
        outputs = parseKeyValueFile(await readFile(files.output, "utf8"));
        Object.assign(envFromFiles, parseKeyValueFile(await readFile(files.env, "utf8")));
        pathPrefix.unshift(...(await readFile(files.path, "utf8")).split("\n").filter(Boolean).reverse());
        record.summary = await readFile(files.summary, "utf8");
        parseKeyValueFile(await readFile(files.state, "utf8"));
      } catch (e) {
        record.log += `##[error]Unable to process file command: ${(e as Error).message}\n`;
        outcome = "failure";
      }
      record.outputs = outputs;
      let continueOnError = false;
      if ("continue-on-error" in step && step["continue-on-error"] !== undefined) {
        const c = step["continue-on-error"];
        continueOnError = typeof c === "boolean" ? c : truthy(evaluateToken(c as TemplateToken, ctx));
      }
      const conclusion: Conclusion = outcome === "failure" && continueOnError ? "success" : outcome;
      finishStep(record, outcome);
      record.conclusion = conclusion;
      stepsCtx[step.id] = { outputs, outcome, conclusion };
      if (conclusion === "failure") failed = true;
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  const complete = addStep(job.record, "Complete job", "__complete");
  finishStep(complete, "success");
  const conclusion: Conclusion = job.stopped() ? "cancelled" : failed ? "failure" : "success";
  return { conclusion, steps: stepsCtx, env: envFromFiles };
}

interface Exec {
  job: StepsJob;
  record: StepRecord;
  raw: TemplateToken | undefined;
  ctx: Contexts;
  env: Record<string, string>;
  workspace: string;
  temp: string;
  masks: Set<string>;
  timeoutMs: number | undefined;
}

async function runScript(x: Exec, step: RunStep): Promise<Conclusion> {
  const script = asString(evaluateToken(step.run, x.ctx));
  const shellName = asString(evaluateToken(field(x.raw, "shell"), x.ctx) ?? x.job.defaults.shell ?? "bash");
  const known = SHELLS[shellName];
  const template = known?.args ?? (shellName.includes("{0}") ? shellName.split(/\s+/) : undefined);
  if (!template) throw new Error(`shell '${shellName}' is not supported here (bash, sh, python, or a command with {0})`);
  const file = join(x.temp, `${randomUUID()}${known?.ext ?? ""}`);
  await writeFile(file, script);
  const cwd = workingDirectory(x);
  return await runProcess(
    x,
    template[0]!,
    template.slice(1).map((a) => a.replace("{0}", file)),
    cwd,
  );
}

function workingDirectory(x: Exec): string {
  const wd = asString(evaluateToken(field(x.raw, "working-directory"), x.ctx) ?? x.job.defaults.workingDirectory ?? "");
  if (!wd) return x.workspace;
  return isAbsolute(wd) ? wd : resolve(x.workspace, wd);
}

async function runProcess(x: Exec, command: string, args: string[], cwd: string): Promise<Conclusion> {
  let stopCommands: string | undefined;
  const proc = startProcess(command, args, {
    cwd,
    env: x.env,
    onLine: (line) => {
      if (stopCommands) {
        if (line === `::${stopCommands}::`) stopCommands = undefined;
        x.record.log += `${mask(line, x.masks)}\n`;
        return;
      }
      const cmd = parseCommand(line);
      if (cmd?.command === "add-mask") {
        x.masks.add(cmd.message);
        x.record.log += "::add-mask::***\n";
        return;
      }
      if (cmd?.command === "stop-commands") stopCommands = cmd.message;
      const a = cmd && annotationOf(cmd);
      if (a) x.job.record.annotations.push({ ...a, message: mask(a.message, x.masks), title: a.title && mask(a.title, x.masks) });
      x.record.log += `${mask(line, x.masks)}\n`;
    },
  });
  x.job.track(proc);
  const timer = x.timeoutMs === undefined ? undefined : setTimeout(() => proc.abort("The action has timed out."), x.timeoutMs);
  const r = await proc.done;
  if (timer) clearTimeout(timer);
  x.job.track(undefined);
  if (r.aborted) {
    x.record.log += `##[error]${r.aborted}\n`;
    return x.job.stopped() ? "cancelled" : "failure";
  }
  if (r.code !== 0) {
    const message = `Process completed with exit code ${r.code ?? 1}.`;
    x.record.log += `##[error]${message}\n`;
    x.job.record.annotations.push(failure(message));
    return "failure";
  }
  return "success";
}

async function runAction(x: Exec, step: ActionStep): Promise<Conclusion> {
  const uses = step.uses.value;
  const withInputs = evaluateStringMap(field(x.raw, "with"), x.ctx);
  if (/^actions\/checkout@/i.test(uses)) return await checkout(x, withInputs);
  if (uses.startsWith("./")) return await localAction(x, resolve(x.workspace, uses), withInputs);
  x.job.problem(`step '${x.record.name}' uses ${uses}: the fake runs only actions/checkout and local actions (uses: ./path)`);
  x.record.log += `##[error]Unable to resolve action \`${uses}\` in this fake\n`;
  return "failure";
}

async function checkout(x: Exec, inputs: Record<string, string>): Promise<Conclusion> {
  const github = x.ctx.github as Record<string, string>;
  const repository = inputs.repository || github.repository!;
  const same = repository.toLowerCase() === github.repository!.toLowerCase();
  const ref = inputs.ref || (same ? github.sha! : await x.job.repos.defaultBranch(repository).catch(() => "main"));
  const dest = resolve(x.workspace, inputs.path || ".");
  if (!dest.startsWith(x.workspace)) {
    x.record.log += `##[error]Repository path '${dest}' is not under '${x.workspace}'\n`;
    return "failure";
  }
  if (!x.job.repos.dir(repository)) {
    x.record.log += `##[error]Not Found - https://docs.github.com/rest/repos/repos#get-a-repository\n`;
    x.job.record.annotations.push(failure("Not Found - https://docs.github.com/rest/repos/repos#get-a-repository"));
    return "failure";
  }
  const sha = await x.job.repos.resolveCommit(repository, ref);
  if (!sha) {
    const message = `A branch or tag with the name '${ref}' could not be found`;
    x.record.log += `##[error]${message}\n`;
    x.job.record.annotations.push(failure(message));
    return "failure";
  }
  await rm(dest, { recursive: true, force: true });
  await x.job.repos.clone(repository, sha, dest);
  if ((inputs["persist-credentials"] ?? "true") !== "false") {
    const token = inputs.token || github.token || "";
    await git(
      dest,
      "config",
      "--local",
      `http.${x.job.serverUrl}/.extraheader`,
      `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`,
    );
  }
  x.record.log += `Syncing repository: ${repository}\nChecking out ${sha} into ${dest}\n`;
  return "success";
}

/** `INPUT_<NAME>` as the runner names it: upper-cased, spaces to underscores, everything else kept. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, "_").toUpperCase()}`;
}

async function localAction(x: Exec, dir: string, given: Record<string, string>): Promise<Conclusion> {
  const file = ["action.yml", "action.yaml"].map((f) => join(dir, f)).find((f) => existsSync(f));
  if (!file) {
    x.record.log += `##[error]Can't find 'action.yml', 'action.yaml' or 'Dockerfile' under '${dir}'. Did you forget to run actions/checkout before running your local action?\n`;
    return "failure";
  }
  const parsed = parseAction({ name: file, content: await readFile(file, "utf8") }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (!parsed.value || errors.length) {
    x.job.problem(`${file} is not a valid action: ${errors.join("; ")}`);
    return "failure";
  }
  const action = convertActionTemplate(parsed.context, parsed.value);
  const runs = action.runs;
  if (!("main" in runs) || !runs.using.startsWith("node")) {
    x.job.problem(`${file}: runs.using ${runs.using} is not supported by the fake (JavaScript actions only)`);
    return "failure";
  }
  const declared = action.inputs ?? [];
  const inputs: Record<string, string> = {};
  for (const d of declared) {
    if (d.default !== undefined) inputs[d.id] = asString(evaluateToken(d.default, x.ctx));
  }
  const lower = new Map(declared.map((d) => [d.id.toLowerCase(), d.id]));
  const unexpected: string[] = [];
  for (const [k, v] of Object.entries(given)) {
    const id = lower.get(k.toLowerCase());
    if (!id) unexpected.push(k);
    inputs[id ?? k] = v;
  }
  if (unexpected.length) {
    const message = `Unexpected input(s) '${unexpected.join("', '")}', valid inputs are ['${declared.map((d) => d.id).join("', '")}']`;
    x.job.record.annotations.push({ ...failure(message), annotation_level: "warning" });
    x.record.log += `##[warning]${message}\n`;
  }
  const env: Record<string, string> = { ...x.env, GITHUB_ACTION_PATH: dir, GITHUB_ACTION_REPOSITORY: "", GITHUB_ACTION_REF: "" };
  for (const [k, v] of Object.entries(inputs)) env[inputVariable(k)] = v;
  x.record.inputs = Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith("INPUT_")));
  if (runs.post) x.job.problem(`${file}: runs.post is not run by the fake`);
  return await runProcess({ ...x, env }, process.execPath, [join(dir, runs.main)], x.workspace);
}

function stepTimeout(raw: TemplateToken | undefined, ctx: Contexts, minuteMs: number): number | undefined {
  const v = evaluateToken(field(raw, "timeout-minutes"), ctx);
  return v === undefined || v === null ? undefined : Number(v) * minuteMs;
}

/** The variables GitHub derives from the `github` context. */
function githubVars(g: Record<string, unknown>): Record<string, string> {
  const s = (k: string) => asString(g[k]);
  return {
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_ACTOR: s("actor"),
    GITHUB_ACTOR_ID: s("actor_id"),
    GITHUB_API_URL: s("api_url"),
    GITHUB_BASE_REF: "",
    GITHUB_EVENT_NAME: s("event_name"),
    GITHUB_EVENT_PATH: s("event_path"),
    GITHUB_GRAPHQL_URL: s("graphql_url"),
    GITHUB_HEAD_REF: "",
    GITHUB_JOB: s("job"),
    GITHUB_REF: s("ref"),
    GITHUB_REF_NAME: s("ref_name"),
    GITHUB_REF_PROTECTED: s("ref_protected"),
    GITHUB_REF_TYPE: s("ref_type"),
    GITHUB_REPOSITORY: s("repository"),
    GITHUB_REPOSITORY_ID: s("repository_id"),
    GITHUB_REPOSITORY_OWNER: s("repository_owner"),
    GITHUB_REPOSITORY_OWNER_ID: s("repository_owner_id"),
    GITHUB_RETENTION_DAYS: s("retention_days"),
    GITHUB_RUN_ATTEMPT: s("run_attempt"),
    GITHUB_RUN_ID: s("run_id"),
    GITHUB_RUN_NUMBER: s("run_number"),
    GITHUB_SERVER_URL: s("server_url"),
    GITHUB_SHA: s("sha"),
    GITHUB_TRIGGERING_ACTOR: s("triggering_actor"),
    GITHUB_WORKFLOW: s("workflow"),
    GITHUB_WORKFLOW_REF: s("workflow_ref"),
    GITHUB_WORKFLOW_SHA: s("workflow_sha"),
  };
}

function defaultStepName(step: Step): string {
  if ("run" in step) {
    const text = step.run.toString().trim().split("\n")[0] ?? "";
    return `Run ${text}`;
  }
  if ("uses" in step) return `Run ${step.uses.value}`;
  return step.id;
}

function addStep(job: JobRecord, name: string, id: string): StepRecord {
  const s: StepRecord = {
    number: job.steps.length + 1,
    name,
    id,
    status: "queued",
    outcome: null,
    conclusion: null,
    started_at: null,
    completed_at: null,
    outputs: {},
    log: "",
    summary: "",
  };
  job.steps.push(s);
  return s;
}

function finishStep(s: StepRecord, outcome: Conclusion, log?: string): void {
  s.status = "completed";
  s.outcome = s.conclusion = outcome;
  s.started_at ??= now();
  s.completed_at = now();
  if (log) s.log += `${log}\n`;
}

export function failure(message: string): Annotation {
  return {
    path: ".github",
    start_line: 1,
    end_line: 1,
    start_column: null,
    end_column: null,
    annotation_level: "failure",
    title: null,
    message,
    raw_details: null,
  };
}

export function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, "Z");
}

let roots = 0;
async function mkdtempUnder(runner: string): Promise<string> {
  const { mkdtemp } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  // A runner's name may be long or hold any character: the directory takes a short, safe form of it.
  return await mkdtemp(join(tmpdir(), `fake-runner-${runner.replace(/[^\w.-]/g, "_").slice(0, 40)}-${roots++}-`));
}
