/** What a faked GitHub Actions records about runs, jobs and steps: everything a test can look at afterwards. */
import type { FakeCheckRun } from "../github.js";

export type RunStatus = "requested" | "pending" | "queued" | "in_progress" | "waiting" | "completed";
export type JobStatus = "queued" | "waiting" | "in_progress" | "completed";
export type Conclusion = "success" | "failure" | "cancelled" | "skipped" | "startup_failure";

/** A self-hosted runner of the pool: the labels it answers to, its name, and its own environment. */
export interface RunnerSpec {
  name: string;
  labels: string[];
  /** `runner.arch` / RUNNER_ARCH (default X64). */
  arch?: "X64" | "ARM64" | "ARM" | "X86" | "S390X" | "PPC64LE";
  /** Extra environment variables of the runner's processes. */
  env?: Record<string, string>;
}

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column: number | null;
  end_column: number | null;
  annotation_level: "notice" | "warning" | "failure";
  title: string | null;
  message: string;
  raw_details: string | null;
}

export interface StepRecord {
  number: number;
  name: string;
  /** The step's `id:` (or the id GitHub generates, `__run`, `__actions_checkout`). */
  id: string;
  status: "queued" | "in_progress" | "completed";
  outcome: Conclusion | null;
  conclusion: Conclusion | null;
  started_at: string | null;
  completed_at: string | null;
  outputs: Record<string, string>;
  /** What the step printed (stdout and stderr, secrets masked), workflow commands included. */
  log: string;
  /** GITHUB_STEP_SUMMARY's content. */
  summary: string;
  /** `INPUT_*` variables an action step ran with. */
  inputs?: Record<string, string>;
}

export interface JobRecord {
  id: number;
  run_id: number;
  /** The name as GitHub forms it (`build / build (x86_64) <id>`). */
  name: string;
  /** The job's id in its workflow file. */
  jobId: string;
  /** The chain of caller job names above it (reusable workflows). */
  parents: string[];
  workflow_name: string;
  status: JobStatus;
  conclusion: Conclusion | null;
  labels: string[];
  runner_name: string | null;
  runner_id: number | null;
  created_at: string;
  started_at: string;
  completed_at: string | null;
  matrix?: Record<string, unknown>;
  permissions: Record<string, string>;
  environment?: { name: string; url?: string };
  token?: string;
  outputs: Record<string, string>;
  steps: StepRecord[];
  annotations: Annotation[];
  check_run: FakeCheckRun;
  head_sha: string;
  head_branch: string | null;
}

export interface RunRecord {
  id: number;
  run_number: number;
  run_attempt: number;
  repo: string;
  workflow_id: number;
  /** `.github/workflows/flibs.yml` */
  path: string;
  /** The workflow's `name:` (else its path). */
  name: string;
  /** `run-name` evaluated (else the workflow's name). */
  display_title: string;
  event: "workflow_dispatch";
  status: RunStatus;
  conclusion: Conclusion | null;
  head_sha: string;
  head_branch: string;
  ref: string;
  actor: string;
  inputs: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  run_started_at: string;
  jobs: JobRecord[];
  /** Reusable workflows the run called: `owner/repo/.github/workflows/x.yml@ref` with the commit read. */
  referenced_workflows: Array<{ path: string; sha: string; ref: string }>;
  /** Why the run could not start or was cancelled (concurrency, a deadlock, a reusable workflow that failed to load). */
  notes: string[];
  /** Resolves when the run is completed. */
  done: Promise<void>;
}

export interface Delivery {
  id: string;
  event: "workflow_run" | "workflow_job";
  action: string;
  payload: any;
  /** The App's answer (status 0 when the request failed). */
  status: number;
  response: string;
}
