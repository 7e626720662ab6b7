/**
 * The App under test: a real Probot instance (real auth, real Octokit, real webhook verification) with
 * the flibs App loaded, real webhook payloads from `@octokit/webhooks-examples`, and signed deliveries for
 * tests against the running HTTP server.
 */
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { Probot, ProbotOctokit, type ApplicationFunction } from "probot";
import flibsApp from "../../src/app/index.js";

export interface LogRecord {
  level: "trace" | "debug" | "info" | "warn" | "error" | "fatal";
  msg: string;
  data: Record<string, unknown>;
}

export interface TestApp {
  probot: Probot;
  /** Everything Probot, Octokit and the app logged at `info` or above. */
  logs: LogRecord[];
  /** Delivers an event as Probot's HTTP server would after verifying it; resolves when every handler finished. */
  receive(name: string, payload: object, id?: string): Promise<void>;
}

export interface TestAppOptions {
  appFn?: ApplicationFunction;
  appId?: number;
  /** e.g. `https://ghe.example.com/api/v3` for GitHub Enterprise Server. */
  baseUrl?: string;
  /** Authenticate with this token instead of as an App. */
  githubToken?: string;
  secret?: string;
  /** Keep Probot's write throttling (one write a second per installation), to test how it is keyed. */
  throttle?: boolean;
}

let privateKey: string | undefined;

/** An RSA key generated for this test process (never a committed one), PKCS#1 PEM as GitHub issues them. */
export function testPrivateKey(): string {
  privateKey ??= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  return privateKey;
}

/**
 * Octokit as the App uses it, minus retries and (unless asked for) throttling, so a fake 500 is seen at once
 * and writes are not spaced a second apart. A function, not an object: Probot passes its own `throttle`
 * options to every instance, which would replace an object default's `throttle: { enabled: false }`.
 */
export function testOctokit(options: { throttle?: boolean } = {}): typeof ProbotOctokit {
  return ProbotOctokit.defaults((instance: Record<string, any>) => ({
    ...instance,
    retry: { enabled: false },
    throttle: { ...instance.throttle, enabled: options.throttle === true },
  }));
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const logs: LogRecord[] = [];
  const probot = new Probot({
    appId: options.appId ?? 12345,
    privateKey: testPrivateKey(),
    ...(options.githubToken ? { githubToken: options.githubToken } : {}),
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    secret: options.secret ?? "test-webhook-secret",
    Octokit: testOctokit({ throttle: options.throttle === true }),
    log: captureLogger(logs) as unknown as NonNullable<ConstructorParameters<typeof Probot>[0]>["log"],
  });
  await probot.load(options.appFn ?? flibsApp);
  return {
    probot,
    logs,
    receive: (name, payload, id = randomUUID()) => probot.receive({ id, name, payload } as unknown as Parameters<Probot["receive"]>[0]),
  };
}

const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"] as const;

/** A pino-shaped logger that keeps records instead of printing them. */
function captureLogger(logs: LogRecord[], bindings: Record<string, unknown> = {}): Record<string, unknown> {
  const log: Record<string, unknown> = {
    level: "info",
    child: (more: Record<string, unknown>) => captureLogger(logs, { ...bindings, ...more }),
  };
  for (const level of LEVELS) {
    log[level] = (a?: unknown, b?: unknown) => {
      if (level === "trace" || level === "debug") return;
      const data = typeof a === "object" && a !== null && !(a instanceof Error) ? (a as Record<string, unknown>) : a instanceof Error ? { err: a } : {};
      const msg = typeof a === "string" ? a : typeof b === "string" ? b : a instanceof Error ? a.message : "";
      logs.push({ level, msg, data: { ...bindings, ...data } });
    };
  }
  return log;
}

// ---- payloads ----------------------------------------------------------------------------------------

interface Definition {
  name: string;
  examples: Record<string, unknown>[];
}

let definitions: Definition[] | undefined;

function examples(): Definition[] {
  definitions ??= createRequire(import.meta.url)("@octokit/webhooks-examples/api.github.com/index.json") as Definition[];
  return definitions;
}

export interface PayloadOptions {
  /** Always set on the payload (default 1): the App's events always carry their installation. */
  installationId?: number;
  /** `owner/name`: the repository (and a PR's base repo, and its head repo unless `fork` is given). */
  repo?: string;
  /** The head commit: `pull_request.head.sha`, `check_run.head_sha`, `workflow_*.head_sha`, `after` of a push. */
  headSha?: string;
  /** `owner/name` of a fork the PR comes from. */
  fork?: string;
  /** The login of `sender` (and of a PR's or comment's author). */
  sender?: string;
  /** Which matching example to take (default: the first, preferring ones that carry an installation). */
  nth?: number;
  /** Anything else, applied last. */
  edit?: (payload: any) => void;
}

/** Names of the actions `@octokit/webhooks-examples` has examples for, per event. */
export function exampleActions(event: string): string[] {
  return [...new Set((examples().find((d) => d.name === event)?.examples ?? []).map((e) => String(e.action ?? "")))];
}

/**
 * A real GitHub payload for `event` (and `action`, for events that have one), deep-copied and adjusted.
 * Throws when the examples have none, naming the actions they do have.
 */
export function examplePayload(event: string, action?: string, options: PayloadOptions = {}): any {
  const def = examples().find((d) => d.name === event);
  if (!def) throw new Error(`@octokit/webhooks-examples has no ${event} event`);
  const matching = def.examples.filter((e) => action === undefined || e.action === action);
  if (matching.length === 0) throw new Error(`no ${event}.${action} example; there are: ${exampleActions(event).join(", ")}`);
  const ordered = [...matching.filter((e) => e.installation), ...matching.filter((e) => !e.installation)];
  const chosen = ordered[options.nth ?? 0];
  if (!chosen) throw new Error(`only ${ordered.length} ${event}.${action} example(s)`);
  const p = structuredClone(chosen) as any;

  const installationId = options.installationId ?? 1;
  p.installation = { id: installationId, node_id: Buffer.from(`Installation${installationId}`).toString("base64") };
  if (options.repo) setRepo(p, options.repo);
  if (options.fork && p.pull_request) {
    const [owner = "", name = ""] = options.fork.split("/");
    const head = p.pull_request.head;
    head.repo = { ...head.repo, name, full_name: options.fork, fork: true, owner: { ...head.repo?.owner, login: owner } };
    head.user = { ...head.user, login: owner };
    head.label = `${owner}:${head.ref}`;
  }
  if (options.headSha) setHeadSha(p, options.headSha);
  if (options.sender) {
    p.sender = { ...p.sender, login: options.sender };
    if (p.pull_request) p.pull_request.user = { ...p.pull_request.user, login: options.sender };
    if (p.comment) p.comment.user = { ...p.comment.user, login: options.sender };
  }
  options.edit?.(p);
  return p;
}

function setRepo(p: any, fullName: string): void {
  const [owner = "", name = ""] = fullName.split("/");
  const apply = (r: any) => {
    if (!r) return r;
    return { ...r, name, full_name: fullName, owner: { ...r.owner, login: owner }, url: `https://api.github.com/repos/${fullName}`, html_url: `https://github.com/${fullName}` };
  };
  const oldFull = p.repository?.full_name;
  p.repository = apply(p.repository);
  if (p.organization) p.organization = { ...p.organization, login: owner };
  if (p.pull_request) {
    const sameHead = p.pull_request.head?.repo?.full_name === p.pull_request.base?.repo?.full_name || p.pull_request.head?.repo?.full_name === oldFull;
    p.pull_request.base.repo = apply(p.pull_request.base.repo);
    if (sameHead) p.pull_request.head.repo = apply(p.pull_request.head.repo);
  }
}

function setHeadSha(p: any, sha: string): void {
  if (p.pull_request?.head) p.pull_request.head.sha = sha;
  if (p.check_run) {
    p.check_run.head_sha = sha;
    if (p.check_run.check_suite) p.check_run.check_suite.head_sha = sha;
  }
  if (p.check_suite) p.check_suite.head_sha = sha;
  if (p.workflow_job) p.workflow_job.head_sha = sha;
  if (p.workflow_run) p.workflow_run.head_sha = sha;
  if (p.after !== undefined) p.after = sha;
}

// ---- signed deliveries -------------------------------------------------------------------------------

/** `X-Hub-Signature-256` for a body: HMAC-SHA256 with the webhook secret, hex, prefixed `sha256=`. */
export function signWebhook(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** The request GitHub would POST to the App's webhook URL for this event. */
export function signedDelivery(name: string, payload: object, secret: string, id: string = randomUUID()): { headers: Record<string, string>; body: string } {
  const body = JSON.stringify(payload);
  return {
    body,
    headers: {
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/test",
      "x-github-event": name,
      "x-github-delivery": id,
      "x-hub-signature-256": signWebhook(secret, body),
    },
  };
}
