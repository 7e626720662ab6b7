/**
 * HTTP to registries, all of it over node:http(s) with one keep-alive Agent per origin: base URL (HTTPS,
 * plain HTTP only for loopback or named insecure hosts), the WWW-Authenticate dance (anonymous, Basic,
 * Bearer token with realm/service/scope), redirects, retries with backoff on 429/5xx/connection resets
 * honouring Retry-After, and counters for benchmarks.
 *
 * Not fetch: Node 20's fetch loads its HTTP stack (undici) on first use, about 100 ms of CPU in a short
 * CLI process, and applies no backpressure to a streamed request body (a 300 MB upload peaked at 370 MB
 * RSS, against 106 MB here); promotion must move any size in constant memory.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { FlibsError } from "../core/errors.js";
import { parseAuthChallenges, type AuthChallenge } from "../core/oci/auth-challenge.js";
import { DOCKER_HUB } from "../core/oci/reference.js";
import { noCredentials, type Credential, type CredentialLookup } from "./credentials.js";

export interface RetryPolicy {
  /** Extra attempts after the first. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface TransportOptions {
  credentials?: CredentialLookup;
  /** Hosts (`host` or `host:port`) reached over plain HTTP. Loopback hosts always are. */
  insecureHosts?: string[];
  retry?: Partial<RetryPolicy>;
  userAgent?: string;
  /** Open connections per registry (kept alive between requests); default 16. */
  maxSockets?: number;
  /** A registry that stops reading or answering for this long is treated as gone (default 300 s). */
  idleTimeoutMs?: number;
  /** Called before each retry (for logs). */
  onRetry?: (info: { url: string; attempt: number; delayMs: number; reason: string }) => void;
  /** Called when each answer's headers arrive (for traces). */
  onResponse?: (info: { method: string; url: string; status: number; ms: number }) => void;
}

export interface TransferStats {
  requests: number;
  retries: number;
  /** Blob bytes read from registries through this client. */
  blobBytesDownloaded: number;
  /** Blob bytes sent to registries through this client. */
  blobBytesUploaded: number;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Bytes are sent (and retried) as they are; a stream or iterable is sent once, with backpressure. */
  body?: Uint8Array | AsyncIterable<Uint8Array>;
  /** Token scopes this request needs, e.g. `repository:org/app:pull,push`. */
  scopes: string[];
  /** Statuses returned to the caller instead of retried or thrown (401/403 are always handled here). */
  accept?: number[];
}

/** An answer with its body read (registry answers other than blobs are small). */
export interface RegistryResponse {
  status: number;
  /** 2xx */
  ok: boolean;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** A header's (first) value. */
  header(name: string): string | undefined;
  text(): string;
}

const DEFAULT_RETRY: RetryPolicy = { retries: 4, baseDelayMs: 250, maxDelayMs: 20_000 };
/** A registry that stops reading or answering for this long is treated as gone (default). */
const IDLE_TIMEOUT_MS = 300_000;
/** Larger answers than this are not registry metadata (manifests are at most 4 MiB). */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Retry-After: delta-seconds or an HTTP date. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const s = Number(header);
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Connection failures worth another attempt; FLIBS_TIMEOUT is a connection that stalled past the idle timeout. */
const RETRIED_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "ECONNABORTED", "EAI_AGAIN", "FLIBS_TIMEOUT"]);

function isConnectionError(e: unknown): boolean {
  return e instanceof Error && !(e instanceof FlibsError) && RETRIED_CODES.has((e as { code?: string }).code ?? "");
}

function firstHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export class Transport {
  readonly stats: TransferStats = { requests: 0, retries: 0, blobBytesDownloaded: 0, blobBytesUploaded: 0 };
  private readonly credentials: CredentialLookup;
  private readonly insecure: Set<string>;
  private readonly retry: RetryPolicy;
  private readonly userAgent: string;
  private maxSockets: number;
  private readonly idleTimeoutMs: number;
  private readonly agents = new Map<string, HttpAgent>();
  private readonly challenges = new Map<string, AuthChallenge>();
  private readonly tokens = new Map<string, Promise<CachedToken>>();
  private readonly onRetry: TransportOptions["onRetry"];
  private readonly onResponse: TransportOptions["onResponse"];

  constructor(options: TransportOptions = {}) {
    this.credentials = options.credentials ?? noCredentials;
    this.insecure = new Set((options.insecureHosts ?? []).map((h) => h.toLowerCase()));
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.userAgent = options.userAgent ?? "flibs";
    this.maxSockets = options.maxSockets ?? 16;
    this.idleTimeoutMs = options.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
    this.onRetry = options.onRetry;
    this.onResponse = options.onResponse;
  }

  /** `https://registry-1.docker.io` for Docker Hub; `http://` only for loopback or insecure hosts. */
  baseUrl(registry: string): string {
    const host = registry === DOCKER_HUB ? "registry-1.docker.io" : registry;
    return `${this.plainAllowed(registry) ? "http" : "https"}://${host}`;
  }

  /**
   * Makes room for `transfers` blob copies at once: each may hold a download and an upload connection
   * to one registry, and metadata requests need a few more (too few would leave a download waiting on
   * its own upload).
   */
  allowTransfers(transfers: number): void {
    this.maxSockets = Math.max(this.maxSockets, 2 * transfers + 4);
    for (const agent of this.agents.values()) agent.maxSockets = this.maxSockets;
  }

  /** Closes the kept-alive connections (idle ones never hold the process open). */
  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  /**
   * Sends a request to `registry` (path `/v2/...` or an absolute URL from a Location header) and reads
   * its answer. Byte bodies are retried; a streamed body is sent once (callers authenticate first with a
   * bodyless request to the same scopes, so a 401 on it is final).
   */
  async request(registry: string, pathOrUrl: string, opts: RequestOptions): Promise<RegistryResponse> {
    const url = /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${this.baseUrl(registry)}${pathOrUrl}`;
    const replayable = opts.body === undefined || opts.body instanceof Uint8Array;
    for (let attempt = 0; ; attempt++) {
      const res = await this.exchange(registry, url, opts);
      try {
        return buffered(res, await readBody(res, `${opts.method ?? "GET"} ${redact(url)}`));
      } catch (e) {
        // An answer cut short (reset, closed before its Content-Length, stalled) is asked again, as a
        // connection that broke before the answer is: replaying is harmless (GET/HEAD/PUT/DELETE are
        // idempotent; a repeated POST opens one more upload session, which the registry expires).
        const cause = e instanceof FlibsError ? e.cause : undefined;
        if (replayable && isConnectionError(cause) && attempt < this.retry.retries) {
          await this.backoff(url, attempt, undefined, describe(cause));
          continue;
        }
        throw e;
      }
    }
  }

  /**
   * GETs a blob as a Node stream (the hot path of a cross-registry copy), following redirects to storage
   * without the registry's Authorization. `undefined` for 404; other failures throw.
   */
  async download(registry: string, path: string, scopes: string[]): Promise<IncomingMessage | undefined> {
    const url = `${this.baseUrl(registry)}${path}`;
    const res = await this.exchange(registry, url, { scopes, accept: [404] });
    if (res.statusCode === 200) return res;
    const text = (await readBody(res, `GET ${redact(url)}`)).toString("utf8");
    if (res.statusCode === 404) return undefined;
    throw new FlibsError("registry", `GET ${redact(url)}: HTTP ${res.statusCode} ${registryMessage(text)}`.trim(), {
      detail: { status: res.statusCode },
    });
  }

  /** The auth dance and retries around `send`; returns the answer with its body unread. */
  private async exchange(registry: string, url: string, opts: RequestOptions): Promise<IncomingMessage> {
    const method = opts.method ?? "GET";
    const replayable = opts.body === undefined || opts.body instanceof Uint8Array;
    let reauthed = false;
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { "user-agent": this.userAgent, ...opts.headers };
      const authz = await this.authorization(registry, opts.scopes);
      if (authz) headers.authorization = authz;
      let res: IncomingMessage;
      try {
        res = await this.send(new URL(url), method, headers, opts.body);
      } catch (e) {
        if (e instanceof FlibsError) throw e;
        if (replayable && isConnectionError(e) && attempt < this.retry.retries) {
          await this.backoff(url, attempt, undefined, describe(e));
          continue;
        }
        throw new FlibsError("registry", `${method} ${redact(url)}: ${describe(e)}`, { cause: e });
      }
      const status = res.statusCode ?? 502;
      if (opts.accept?.includes(status)) return res;
      if (status === 401 && !reauthed) {
        const header = firstHeader(res.headers, "www-authenticate");
        res.resume();
        if (!header) throw new FlibsError("auth", `${registry} answered 401 without a WWW-Authenticate challenge`);
        this.learnChallenge(registry, header, opts.scopes);
        reauthed = true;
        if (!replayable) {
          throw new FlibsError("auth", `${registry} asked for authentication in the middle of an upload; retry the command`);
        }
        attempt--;
        continue;
      }
      if (status === 401 || status === 403) {
        const text = (await readBody(res, url)).toString("utf8");
        const who = this.credentials(registry) ? "the stored credentials were refused" : "no credentials found";
        throw new FlibsError(
          "auth",
          `${method} ${redact(url)}: ${status} ${registryMessage(text)} (${who} for ${registry}; ` +
            `log in with \`docker login\`/\`skopeo login\` or set REGISTRY_AUTH_FILE)`,
        );
      }
      if ((status === 429 || status >= 500) && replayable && attempt < this.retry.retries) {
        res.resume();
        await this.backoff(url, attempt, retryAfterMs(firstHeader(res.headers, "retry-after")), `HTTP ${status}`);
        continue;
      }
      return res;
    }
  }

  /**
   * One exchange over the origin's keep-alive Agent. GET and HEAD follow redirects (storage backends);
   * the Authorization header goes only to the host it was meant for, and never over plain HTTP to a
   * host that is not loopback or insecure.
   */
  private async send(
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: Uint8Array | AsyncIterable<Uint8Array> | undefined,
  ): Promise<IncomingMessage> {
    const origin = url.host;
    for (let hop = 0; ; hop++) {
      if (url.host !== origin) delete headers.authorization;
      const started = performance.now();
      this.stats.requests++;
      const res = await this.sendOnce(url, method, headers, body);
      this.onResponse?.({ method, url: redact(url.toString()), status: res.statusCode ?? 0, ms: performance.now() - started });
      const location = res.headers.location;
      if (!REDIRECTS.has(res.statusCode ?? 0) || !location || (method !== "GET" && method !== "HEAD") || hop >= 5) return res;
      res.resume();
      url = new URL(location, url);
      if (url.protocol !== "https:" && !(url.protocol === "http:" && this.plainAllowed(url.host))) {
        throw new FlibsError("registry", `${origin} redirected ${method} to plain HTTP (${url.host}); refusing`);
      }
    }
  }

  private sendOnce(
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: Uint8Array | AsyncIterable<Uint8Array> | undefined,
  ): Promise<IncomingMessage> {
    const https = url.protocol === "https:";
    const req = (https ? httpsRequest : httpRequest)(url, { method, headers, agent: this.agentFor(url) });
    const idle = this.idleTimeoutMs;
    req.setTimeout(idle, () => req.destroy(Object.assign(new Error(`no progress for ${idle / 1000} s`), { code: "FLIBS_TIMEOUT" })));
    return new Promise<IncomingMessage>((resolve, reject) => {
      req.once("response", resolve);
      req.once("error", reject);
      if (body === undefined || body instanceof Uint8Array) {
        req.end(body);
        return;
      }
      // A stream that fails (a digest mismatch while verifying, a broken source) aborts the request with its error.
      pipeline(body instanceof Readable ? body : Readable.from(body), req).catch((e: unknown) => {
        req.destroy();
        reject(e instanceof Error ? e : new Error(String(e)));
      });
    });
  }

  private agentFor(url: URL): HttpAgent {
    const key = `${url.protocol}//${url.host}`;
    let agent = this.agents.get(key);
    if (!agent) {
      const options = { keepAlive: true, maxSockets: this.maxSockets };
      agent = url.protocol === "https:" ? new HttpsAgent(options) : new HttpAgent(options);
      this.agents.set(key, agent);
    }
    return agent;
  }

  private plainAllowed(host: string): boolean {
    const h = host.toLowerCase();
    return isLoopbackHost(h) || this.insecure.has(h) || this.insecure.has(h.replace(/:\d+$/, ""));
  }

  private async backoff(url: string, attempt: number, retryAfter: number | undefined, reason: string): Promise<void> {
    const exp = this.retry.baseDelayMs * 2 ** attempt;
    const delayMs = Math.min(this.retry.maxDelayMs, retryAfter ?? exp + Math.random() * this.retry.baseDelayMs);
    this.stats.retries++;
    this.onRetry?.({ url: redact(url), attempt: attempt + 1, delayMs, reason });
    await sleep(delayMs);
  }

  private learnChallenge(registry: string, header: string, scopes: string[]): void {
    const challenges = parseAuthChallenges(header);
    const chosen = challenges.find((c) => c.scheme === "bearer") ?? challenges.find((c) => c.scheme === "basic");
    if (!chosen) throw new FlibsError("auth", `${registry} asks for an unsupported authentication scheme: ${header}`);
    if (chosen.scheme === "bearer" && !chosen.params.realm) {
      throw new FlibsError("auth", `${registry} sent a Bearer challenge without a realm`);
    }
    const previous = this.challenges.get(registry);
    this.challenges.set(registry, chosen);
    // A 401 with a token in hand means the token expired or lacks scope: drop it.
    if (previous) this.tokens.delete(tokenKey(registry, scopes));
  }

  private async authorization(registry: string, scopes: string[]): Promise<string | undefined> {
    const challenge = this.challenges.get(registry);
    if (!challenge) return undefined;
    const cred = this.credentials(registry, repositoryOfScopes(scopes));
    if (challenge.scheme === "basic") {
      if (!cred) throw new FlibsError("auth", `${registry} requires a login and no credentials were found for it`);
      const password = cred.kind === "basic" ? cred.password : cred.token;
      return `Basic ${Buffer.from(`${cred.username}:${password}`).toString("base64")}`;
    }
    // Requests running together for one scope share one token request.
    const key = tokenKey(registry, scopes);
    const pending = this.tokens.get(key);
    if (pending) {
      const cached = await pending.catch(() => undefined);
      if (cached && cached.expiresAt > Date.now() + 10_000) return `Bearer ${cached.token}`;
      if (this.tokens.get(key) !== pending) return this.authorization(registry, scopes); // renewed meanwhile
    }
    const fresh = this.fetchToken(registry, challenge, scopes, cred);
    this.tokens.set(key, fresh);
    fresh.catch(() => this.tokens.get(key) === fresh && this.tokens.delete(key));
    return `Bearer ${(await fresh).token}`;
  }

  private async fetchToken(
    registry: string,
    challenge: AuthChallenge,
    scopes: string[],
    cred: Credential | undefined,
  ): Promise<CachedToken> {
    const realm = challenge.params.realm!;
    let realmUrl: URL;
    try {
      realmUrl = new URL(realm);
    } catch {
      throw new FlibsError("auth", `${registry} sent an invalid token realm "${realm}"`);
    }
    if (realmUrl.protocol !== "https:" && !(realmUrl.protocol === "http:" && this.plainAllowed(realmUrl.host))) {
      throw new FlibsError("auth", `${registry} sent a token realm over plain HTTP (${realm}); refusing to send credentials there`);
    }
    const service = challenge.params.service;
    const allScopes = [...new Set([...scopes, ...(challenge.params.scope ? challenge.params.scope.split(" ") : [])])];
    const headers: Record<string, string> = { "user-agent": this.userAgent };
    let body: Uint8Array | undefined;
    let method = "GET";
    if (cred?.kind === "identity-token") {
      const form = new URLSearchParams({ grant_type: "refresh_token", refresh_token: cred.token, client_id: "flibs" });
      if (service) form.set("service", service);
      if (allScopes.length) form.set("scope", allScopes.join(" "));
      method = "POST";
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = Buffer.from(form.toString());
    } else {
      if (service) realmUrl.searchParams.set("service", service);
      for (const s of allScopes) realmUrl.searchParams.append("scope", s);
      if (cred) {
        realmUrl.searchParams.set("account", cred.username);
        headers.authorization = `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString("base64")}`;
      }
    }
    let res: RegistryResponse;
    try {
      const answer = await this.send(realmUrl, method, headers, body);
      res = buffered(answer, await readBody(answer, `token request to ${realmUrl.origin}`));
    } catch (e) {
      if (e instanceof FlibsError) throw new FlibsError("auth", e.message, { cause: e });
      throw new FlibsError("auth", `token request to ${realmUrl.origin} failed: ${describe(e)}`, { cause: e });
    }
    if (!res.ok) {
      throw new FlibsError(
        "auth",
        `token request for ${registry} (${allScopes.join(" ") || "no scope"}) was refused: ${res.status} ${registryMessage(res.text())}`,
      );
    }
    let parsed: { token?: string; access_token?: string; expires_in?: number };
    try {
      parsed = JSON.parse(res.text()) as typeof parsed;
    } catch {
      throw new FlibsError("auth", `token response from ${realmUrl.origin} is not JSON`);
    }
    const token = parsed.token ?? parsed.access_token;
    if (!token) throw new FlibsError("auth", `token response from ${realmUrl.origin} has no token`);
    const ttl = typeof parsed.expires_in === "number" && parsed.expires_in > 0 ? parsed.expires_in : 60;
    return { token, expiresAt: Date.now() + ttl * 1000 };
  }
}

/** Reads a whole (small) answer; a broken error body still gives what arrived. */
async function readBody(res: IncomingMessage, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const c of res) {
      size += (c as Buffer).length;
      if (size > MAX_BUFFERED_BYTES) {
        res.destroy();
        throw new FlibsError("registry", `${what}: the answer is larger than ${MAX_BUFFERED_BYTES / 1024 / 1024} MiB`);
      }
      chunks.push(c as Buffer);
    }
  } catch (e) {
    if (e instanceof FlibsError) throw e;
    if ((res.statusCode ?? 0) < 300) throw new FlibsError("registry", `${what}: ${describe(e)}`, { cause: e });
  }
  return Buffer.concat(chunks);
}

function buffered(res: IncomingMessage, body: Buffer): RegistryResponse {
  const status = res.statusCode ?? 502;
  return {
    status,
    ok: status >= 200 && status < 300,
    headers: res.headers,
    body,
    header: (name) => firstHeader(res.headers, name),
    text: () => body.toString("utf8"),
  };
}

function tokenKey(registry: string, scopes: string[]): string {
  return `${registry} ${[...scopes].sort().join(" ")}`;
}

function repositoryOfScopes(scopes: string[]): string | undefined {
  const push = scopes.find((s) => s.endsWith(",push")) ?? scopes[0];
  return push?.split(":")[1];
}

export function scope(repository: string, actions: "pull" | "pull,push"): string {
  return `repository:${repository}:${actions}`;
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: string }).code;
    return code && !e.message.includes(code) ? `${e.message} (${code})` : e.message;
  }
  return String(e);
}

/** Hides upload state and signatures in URLs we print. */
export function redact(url: string): string {
  return url.replace(/\?.*$/, "");
}

/** The first error message of a distribution-spec error body, or the text itself, trimmed. */
export function registryMessage(text: string): string {
  try {
    const j = JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> };
    const e = j.errors?.[0];
    if (e) return `${e.code ?? ""}${e.message ? `: ${e.message}` : ""}`.trim();
  } catch {
    /* not JSON */
  }
  return text.trim().slice(0, 200);
}
