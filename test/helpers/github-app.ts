/**
 * The App under test: a real Probot instance (real auth, real Octokit, real webhook verification) with
 * the flibs App loaded, real webhook payloads from `@octokit/webhooks-examples`, and signed deliveries for
 * tests against the running HTTP server.
 */
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { Writable } from "node:stream";
import { pino } from "pino";
import { Probot, ProbotOctokit, Server, type ApplicationFunction } from "probot";
import { createFlibsApp } from "../../src/app/index.js";

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

type ProbotOptions = NonNullable<ConstructorParameters<typeof Probot>[0]>;

function probotOptions(options: TestAppOptions, logs: LogRecord[]): ProbotOptions {
  return {
    appId: options.appId ?? 12345,
    privateKey: testPrivateKey(),
    ...(options.githubToken ? { githubToken: options.githubToken } : {}),
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    secret: options.secret ?? TEST_WEBHOOK_SECRET,
    Octokit: testOctokit({ throttle: options.throttle === true }),
    log: captureLogger(logs) as unknown as ProbotOptions["log"],
  };
}

/**
 * The App as tests drive it: each delivery's response waits for its work (up to a minute), so `receive` and
 * `deliver` resolve when the App has done everything the event asked. Production answers at once (budget 0);
 * test/app/server.test.ts covers that mode.
 */
function waitingApp(): ApplicationFunction {
  return createFlibsApp({ deliveryBudgetMs: 60_000 }).app;
}

export const TEST_WEBHOOK_SECRET = "test-webhook-secret";

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const logs: LogRecord[] = [];
  const probot = new Probot(probotOptions(options, logs));
  await probot.load(options.appFn ?? waitingApp());
  return {
    probot,
    logs,
    receive: (name, payload, id = randomUUID()) => probot.receive({ id, name, payload } as unknown as Parameters<Probot["receive"]>[0]),
  };
}

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Where GitHub posts deliveries: `<url>/api/github/webhooks`. */
  webhookUrl: string;
  logs: LogRecord[];
  /** Posts a signed delivery (or one with `signature` instead) and returns the response. */
  deliver(name: string, payload: object, options?: { id?: string; signature?: string }): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * The App behind Probot's own HTTP server on a loopback port, as `npm start` runs it: deliveries are verified
 * against the webhook secret, GitHub is whatever the test fakes.
 */
export async function startTestServer(options: TestAppOptions & { port: number }): Promise<TestServer> {
  const logs: LogRecord[] = [];
  const opts = probotOptions(options, logs);
  const server = new Server({ Probot: Probot.defaults(opts), host: "127.0.0.1", port: options.port, log: opts.log });
  await server.load(options.appFn ?? waitingApp());
  await server.start();
  const url = `http://127.0.0.1:${server.port}`;
  const secret = options.secret ?? TEST_WEBHOOK_SECRET;
  return {
    url,
    webhookUrl: `${url}/api/github/webhooks`,
    logs,
    async deliver(name, payload, o = {}) {
      const d = signedDelivery(name, payload, secret, o.id);
      if (o.signature !== undefined) d.headers["x-hub-signature-256"] = o.signature;
      return await fetch(`${url}/api/github/webhooks`, { method: "POST", headers: d.headers, body: d.body });
    },
    stop: () => server.stop(),
  };
}

const LEVEL_NAMES: Record<number, LogRecord["level"]> = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };

/** A real pino logger (what Probot and its HTTP server expect) that keeps records instead of printing them. */
function captureLogger(logs: LogRecord[]): pino.Logger {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split("\n")) {
        if (!line.trim()) continue;
        const { level, msg, ...data } = JSON.parse(line) as { level: number; msg?: string } & Record<string, unknown>;
        logs.push({ level: LEVEL_NAMES[level] ?? "info", msg: msg ?? "", data });
      }
      done();
    },
  });
  return pino({ level: "info" }, sink);
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
  // A delivery about a comment arrives as it is written: its times are now (the examples date from years ago).
  if (p.comment) p.comment.created_at = p.comment.updated_at = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  options.edit?.(p);
  return p;
}

function setRepo(p: any, fullName: string): void {
  const [owner = "", name = ""] = fullName.split("/");
  const apply = (r: any) => {
    if (!r) return r;
    return {
      ...r,
      name,
      full_name: fullName,
      owner: { ...r.owner, login: owner },
      url: `https://api.github.com/repos/${fullName}`,
      html_url: `https://github.com/${fullName}`,
    };
  };
  const oldFull = p.repository?.full_name;
  p.repository = apply(p.repository);
  if (p.organization) p.organization = { ...p.organization, login: owner };
  if (p.pull_request) {
    const sameHead =
      p.pull_request.head?.repo?.full_name === p.pull_request.base?.repo?.full_name || p.pull_request.head?.repo?.full_name === oldFull;
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
export function signedDelivery(
  name: string,
  payload: object,
  secret: string,
  id: string = randomUUID(),
): { headers: Record<string, string>; body: string } {
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
