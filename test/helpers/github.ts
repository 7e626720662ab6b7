/**
 * GitHub, faked at HTTP and nowhere else. Every request the code under test sends to the GitHub API is
 * intercepted with nock, checked against GitHub's OpenAPI description (method + path template must exist,
 * query parameters must be known, a JSON body must match the operation's requestBody schema), recorded,
 * and answered by the routes a test registered. Anything else (an invalid request, a request no route
 * answers, a request to another host) is a problem, and `verify()` (run after each test by
 * `useFakeGitHub`) fails the test listing them, even when the app swallowed the error it got back.
 *
 *   const github = useFakeGitHub();
 *   github.repoFiles("my-org/app", { Dockerfile: "FROM ..." }).repoFiles("my-org/.github", {});
 *   github.on("POST /repos/{owner}/{repo}/check-runs", (req) => ({ status: 201, body: { id: 1 } }));
 *   ... drive the app ...
 *   expect(github.calls("POST /repos/{owner}/{repo}/check-runs")).toHaveLength(1);
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach } from "vitest";
import nock from "nock";
import { checkRequest, openApi, type SpecName } from "./github-openapi.js";
import { checkGraphql, executeGraphql, GitHubGraphqlError, isGraphqlQuery, type GraphqlRequest } from "./github-graphql.js";

export { checkRequest, openApi } from "./github-openapi.js";
export { GitHubGraphqlError } from "./github-graphql.js";

/** A GraphQL request as a handler sees it: the HTTP request plus the parsed, validated operation. */
export type GraphqlCall = GitHubRequest & { graphql: GraphqlRequest };
/** Answers a GraphQL request with a root object to execute the query against, a raw reply, or undefined (next handler). */
export type GraphqlHandler = (
  req: GraphqlCall,
) => { root: object } | GitHubReply | undefined | Promise<{ root: object } | GitHubReply | undefined>;

/** A check run the fake created through `acceptCheckRuns`, as the default GraphQL world lists it. */
export interface FakeCheckRun {
  id: number;
  repo: string;
  head_sha: string;
  name: string;
  status: string;
  conclusion: string | null;
  external_id: string | null;
  title: string | null;
  summary: string | null;
  details_url: string | null;
  /** When it was completed (GitHub's second-grain ISO 8601), null until then. */
  completed_at?: string | null;
  /** The App that wrote it: the App under test (TEST_APP_ID) unless `addCheckRun` said otherwise. */
  app_id: number;
}

/** Now as GitHub writes timestamps: ISO 8601 in whole seconds. */
export function githubNow(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, "Z");
}

/** The App id tests run the App with (createTestApp's default). */
export const TEST_APP_ID = 12345;
export * from "./github-app.js";

export interface GitHubRequest {
  method: string;
  /** The full URL as sent. */
  url: string;
  /** The API path without a GHES `/api/v3` prefix and without the query. */
  path: string;
  query: Record<string, string>;
  /** The matched operation: `PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}`. */
  route: string;
  operationId: string;
  /** Path parameters, decoded. */
  params: Record<string, string>;
  /** The parsed JSON body (or the raw text when it is not JSON); undefined when there was none. */
  body: unknown;
  headers: Record<string, string>;
  /** The installation whose token authenticated the request (tokens issued by this fake), if any. */
  installationId?: number;
}

export interface GitHubReply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Answers a request, or returns undefined to let the next route registered for the same operation answer. */
export type RouteHandler = (req: GitHubRequest) => GitHubReply | undefined | Promise<GitHubReply | undefined>;

export interface FakeGitHubOptions {
  /** API base URL: `https://api.github.com` (default) or a GHES one such as `https://ghe.example.com/api/v3`. */
  baseUrl?: string;
  /** Which OpenAPI description to validate against (default: api.github.com). */
  spec?: SpecName;
  /**
   * Intercept this process's requests to the base URL with nock (default true). A process whose code under test
   * runs elsewhere (the App as its own process) reaches the fake through `listen()` only, and its own HTTP
   * requests (a benchmark's deliveries) then go out untouched.
   */
  intercept?: boolean;
}

/** Reads a file of a repository at a ref (branch, tag, SHA or `HEAD`); undefined when the file is not there. */
export type FileSource = (ref: string, path: string) => string | undefined | Promise<string | undefined>;

interface Route {
  route: string;
  handler: RouteHandler;
  times: number;
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"] as const;
const AUTH_ROUTE = "POST /app/installations/{installation_id}/access_tokens";
/** The route name GraphQL requests are recorded under (`calls(GRAPHQL_ROUTE)`). */
export const GRAPHQL_ROUTE = "POST /graphql";

export class FakeGitHub {
  readonly baseUrl: string;
  readonly spec: SpecName;
  /** Every request that reached the fake, in order (valid or not). */
  readonly requests: GitHubRequest[] = [];
  /** What will fail the test in `verify()`. */
  readonly problems: string[] = [];
  /** Called with each request as it is recorded (a benchmark's accounting). */
  readonly listeners: Array<(req: GitHubRequest) => void> = [];
  private routes: Route[] = [];
  private graphqlHandlers: GraphqlHandler[] = [];
  private readonly files: Array<{ repo: string; ref?: string; files?: Record<string, string>; read?: FileSource }> = [];
  /** Check runs created through `acceptCheckRuns` (kept up to date by its PATCH route). */
  readonly checkRuns: FakeCheckRun[] = [];
  /** Pull request heads GraphQL answers (`repository.pullRequest(number).headRefOid`), keyed `owner/repo#N`. */
  readonly pullHeads = new Map<string, string>();
  private readonly tokens = new Map<string, number>();
  /** Check run ids, in the order the runs were created (GitHub's grow with time), whoever wrote them. */
  private nextCheckRunId = 1000;
  private onNoMatch?: (req: { method?: string; path?: string; host?: string; href?: string }) => void;
  private started = false;

  private readonly intercept: boolean;

  constructor(options: FakeGitHubOptions = {}) {
    this.baseUrl = (options.baseUrl ?? "https://api.github.com").replace(/\/+$/, "");
    this.spec = options.spec ?? "api.github.com";
    this.intercept = options.intercept ?? true;
  }

  /** Starts intercepting (network to anything but loopback is refused). `useFakeGitHub` calls it for you. */
  start(): this {
    if (this.started) return this;
    this.started = true;
    openApi(this.spec);
    this.on(AUTH_ROUTE, (req) => this.installationToken(req));
    if (!this.intercept) return this;
    nock.disableNetConnect();
    nock.enableNetConnect(/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/);
    const origin = new URL(this.baseUrl).origin;
    const scope = nock(origin).persist();
    for (const method of METHODS) {
      // nock gives the reply function the interceptor as `this`, so the fake is reached through a local.
      // eslint-disable-next-line @typescript-eslint/no-this-alias
      const fake = this;
      scope
        .intercept(() => true, method)
        .query(true)
        .reply(function (_uri: string, body: unknown, cb: (err: NodeJS.ErrnoException | null, result: nock.ReplyFnResult) => void) {
          const req = this.req;
          fake.handle(method, `${origin}${req.path}`, body, req.headers as Record<string, string>).then(
            (r) => cb(null, r as nock.ReplyFnResult),
            (e: unknown) => cb(e instanceof Error ? e : new Error(String(e)), [500, "", {}]),
          );
        });
    }
    this.onNoMatch = (req) => {
      const where = req.href ?? `${req.host ?? "?"}${req.path ?? ""}`;
      // Loopback (a test's own servers) is allowed through; nock still reports it as unmatched.
      if (/^(?:https?:\/\/)?(?:127\.0\.0\.1|localhost|\[::1\])(?::\d+)?(?:\/|$)/.test(where)) return;
      this.problems.push(`request to a host the fake does not serve: ${req.method ?? "?"} ${where}`);
    };
    nock.emitter.on("no match", this.onNoMatch);
    return this;
  }

  private installationToken(req: GitHubRequest): GitHubReply {
    const id = Number(req.params.installation_id);
    const token = `ghs_fake_installation_${id}`;
    this.tokens.set(token, id);
    return {
      status: 201,
      body: {
        token,
        expires_at: new Date(Date.now() + 3600_000).toISOString(),
        permissions: { checks: "write", contents: "read", metadata: "read" },
        repository_selection: "all",
      },
    };
  }

  /** Stops intercepting and forgets routes and records. */
  stop(): void {
    if (!this.started) return;
    this.started = false;
    if (this.intercept) {
      nock.cleanAll();
      nock.enableNetConnect();
      if (this.onNoMatch) nock.emitter.removeListener("no match", this.onNoMatch);
    }
    this.routes = [];
    this.graphqlHandlers = [];
    this.files.length = 0;
    this.checkRuns.length = 0;
    this.nextCheckRunId = 1000;
    this.pullHeads.clear();
    this.requests.length = 0;
    this.problems.length = 0;
    this.tokens.clear();
    this.listeningUrl = undefined;
  }

  /**
   * Registers an answer for an operation, named as `METHOD /path/{template}` exactly as in GitHub's REST
   * description (a typo throws here). Later registrations for the same operation are tried first, so a test
   * can override a default. `times` limits how often this route answers (default: always).
   */
  on(route: string, handler: RouteHandler | GitHubReply, options: { times?: number } = {}): this {
    const [method = "", template = ""] = route.split(" ");
    if (!openApi(this.spec).hasRoute(method, template)) throw new Error(`FakeGitHub.on: ${route} is not an operation of GitHub's REST API`);
    const fn: RouteHandler = typeof handler === "function" ? handler : () => handler;
    this.routes.unshift({ route: `${method.toUpperCase()} ${template}`, handler: fn, times: options.times ?? Number.POSITIVE_INFINITY });
    return this;
  }

  /**
   * Serves a repository's files through `GET /repos/{owner}/{repo}/contents/{path}` (raw or JSON media type).
   * With `ref`, only requests for that ref are answered (others fall through to earlier registrations);
   * without, any ref is. A path not in `files` is GitHub's 404.
   */
  repoFiles(fullName: string, files: Record<string, string>, options: { ref?: string } = {}): this {
    const [owner, repo] = fullName.toLowerCase().split("/");
    this.files.unshift({ repo: `${owner}/${repo}`, ...(options.ref !== undefined ? { ref: options.ref } : {}), files });
    return this.on("GET /repos/{owner}/{repo}/contents/{path}", (req) => {
      if (req.params.owner?.toLowerCase() !== owner || req.params.repo?.toLowerCase() !== repo) return undefined;
      if (options.ref !== undefined && req.query.ref !== options.ref) return undefined;
      const path = (req.params.path ?? "").replace(/^\/+/, "");
      const text = files[path];
      if (text === undefined) return notFound();
      return this.contentReply(fullName, path, text, req.headers.accept ?? "");
    });
  }

  /**
   * Serves a repository whose files are read at the requested ref when asked (a real git repository): the same
   * `GET .../contents/{path}` answers as `repoFiles` and the same GraphQL blobs. Registered later, it is tried first.
   */
  repoSource(fullName: string, read: FileSource): this {
    const [owner, repo] = fullName.toLowerCase().split("/");
    this.files.unshift({ repo: `${owner}/${repo}`, read });
    return this.on("GET /repos/{owner}/{repo}/contents/{path}", async (req) => {
      if (req.params.owner?.toLowerCase() !== owner || req.params.repo?.toLowerCase() !== repo) return undefined;
      const path = (req.params.path ?? "").replace(/^\/+/, "");
      const text = await read(req.query.ref ?? "HEAD", path);
      return text === undefined ? notFound() : this.contentReply(fullName, path, text, req.headers.accept ?? "");
    });
  }

  private contentReply(fullName: string, path: string, text: string, accept: string): GitHubReply {
    if (/\.raw\b/.test(accept)) return { status: 200, body: text, headers: { "content-type": "text/plain; charset=utf-8" } };
    const content = Buffer.from(text, "utf8");
    return {
      status: 200,
      body: {
        type: "file",
        encoding: "base64",
        size: content.length,
        name: path.split("/").pop(),
        path,
        content: content.toString("base64"),
        sha: "0".repeat(40),
        url: `${this.baseUrl}/repos/${fullName}/contents/${path}`,
        git_url: null,
        html_url: null,
        download_url: null,
        _links: { self: `${this.baseUrl}/repos/${fullName}/contents/${path}`, git: null, html: null },
      },
    };
  }

  /**
   * A check run written by someone else (another App, a workflow's token): it shows up in the commit's
   * listings under its own App, as on GitHub, but was never created through this App's requests.
   */
  addCheckRun(run: Pick<FakeCheckRun, "repo" | "head_sha" | "name" | "app_id"> & Partial<FakeCheckRun>): FakeCheckRun {
    const full: FakeCheckRun = {
      id: this.nextCheckRunId++,
      status: "completed",
      conclusion: "success",
      external_id: null,
      title: null,
      summary: null,
      details_url: null,
      ...run,
      repo: run.repo.toLowerCase(),
    };
    this.checkRuns.push(full);
    return full;
  }

  /** Answers every create of a check run with a new id, echoing the request. Returns the created runs' bodies. */
  acceptCheckRuns(firstId?: number): this {
    if (firstId !== undefined) this.nextCheckRunId = firstId;
    this.on("POST /repos/{owner}/{repo}/check-runs", (req) => {
      const b = req.body as {
        name: string;
        head_sha: string;
        status?: string;
        conclusion?: string;
        external_id?: string;
        details_url?: string;
        output?: { title?: string; summary?: string };
      };
      const id = this.nextCheckRunId++;
      this.checkRuns.push({
        id,
        repo: `${req.params.owner}/${req.params.repo}`.toLowerCase(),
        head_sha: b.head_sha,
        name: b.name,
        status: b.conclusion ? "completed" : (b.status ?? "queued"),
        conclusion: b.conclusion ?? null,
        external_id: b.external_id ?? null,
        title: b.output?.title ?? null,
        summary: b.output?.summary ?? null,
        details_url: b.details_url ?? null,
        completed_at: b.conclusion ? githubNow() : null,
        app_id: TEST_APP_ID,
      });
      return { status: 201, body: { id, ...(req.body as object) } };
    });
    this.on("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", (req) => {
      const b = req.body as {
        status?: string;
        conclusion?: string;
        external_id?: string;
        details_url?: string;
        output?: { title?: string; summary?: string };
      };
      const run = this.checkRuns.find((c) => c.id === Number(req.params.check_run_id));
      if (run) {
        if (b.status) run.status = b.status;
        if (b.conclusion)
          Object.assign(run, { status: "completed", conclusion: b.conclusion, completed_at: run.completed_at ?? githubNow() });
        if (b.external_id !== undefined) run.external_id = b.external_id;
        if (b.details_url !== undefined) run.details_url = b.details_url;
        if (b.output?.title !== undefined) run.title = b.output.title;
        if (b.output?.summary !== undefined) run.summary = b.output.summary;
      }
      return { status: 200, body: { id: Number(req.params.check_run_id), ...(req.body as object) } };
    });
    return this;
  }

  /**
   * Answers `POST /graphql`. The query must parse and validate against GitHub's GraphQL schema (else the test
   * fails); a handler returning `{ root }` has the query executed against that object (functions get the
   * field's arguments), so the answer has GitHub's shape for exactly the fields asked. Later handlers first;
   * the default world (files from `repoFiles`, check runs from `acceptCheckRuns`) answers last.
   */
  onGraphql(handler: GraphqlHandler): this {
    this.graphqlHandlers.unshift(handler);
    return this;
  }

  /**
   * The default GraphQL world: `repository(owner, name)` exists when `repoFiles` served it; its
   * `object(expression: "<ref>:<path>")` is a Blob from those files, `object(oid:)` a Commit whose one check
   * suite holds the check runs `acceptCheckRuns` created on that SHA. An unknown repository is GitHub's NOT_FOUND.
   */
  defaultGraphqlRoot(): object {
    // GraphQL's Int is 32-bit (graphql-js refuses more, as GitHub does), and check run ids are not: GitHub's
    // resourcePath carries the id whatever its size.
    const checkRunNode = (c: FakeCheckRun) => ({
      databaseId: c.id,
      resourcePath: `/${c.repo}/runs/${c.id}`,
      name: c.name,
      status: c.status.toUpperCase(),
      conclusion: c.conclusion ? c.conclusion.toUpperCase() : null,
      externalId: c.external_id,
      completedAt: c.completed_at ?? null,
      title: null,
      summary: null,
      text: null,
    });
    return {
      repository: ({ owner, name }: { owner: string; name: string }) => {
        const full = `${owner}/${name}`.toLowerCase();
        const served = this.files.filter((f) => f.repo === full);
        if (served.length === 0)
          throw new GitHubGraphqlError("NOT_FOUND", `Could not resolve to a Repository with the name '${owner}/${name}'.`);
        return {
          nameWithOwner: `${owner}/${name}`,
          pullRequest: ({ number }: { number: number }) => {
            const head = this.pullHeads.get(`${full}#${number}`);
            if (!head) throw new GitHubGraphqlError("NOT_FOUND", `Could not resolve to a PullRequest with the number of ${number}.`);
            return { number, headRefOid: head };
          },
          object: async ({ expression, oid }: { expression?: string; oid?: string }) => {
            if (oid !== undefined) {
              const runs = this.checkRuns.filter((c) => c.repo === full && c.head_sha === oid);
              // One check suite per App, as GitHub groups them.
              const apps = [...new Set(runs.map((c) => c.app_id))];
              const suites = apps.map((appId) => {
                const own = runs.filter((c) => c.app_id === appId);
                const slug = appId === TEST_APP_ID ? "flibs" : `app-${appId}`;
                return {
                  app: { databaseId: appId, slug, name: slug },
                  checkRuns: () => ({ totalCount: own.length, nodes: own.map(checkRunNode) }),
                };
              });
              return { __typename: "Commit", oid, checkSuites: () => ({ totalCount: suites.length, nodes: suites }) };
            }
            const m = /^([^:]*):(.+)$/.exec(expression ?? "");
            if (!m) return null;
            const [, ref = "", path = ""] = m;
            for (const f of served) {
              const text = f.read ? await f.read(ref || "HEAD", path) : f.ref === undefined || f.ref === ref ? f.files?.[path] : undefined;
              if (text !== undefined) return { __typename: "Blob", text, isBinary: false, byteSize: Buffer.byteLength(text) };
            }
            return null;
          },
        };
      },
    };
  }

  /**
   * Lists the check runs `acceptCheckRuns` created through `GET /repos/{owner}/{repo}/commits/{ref}/check-runs`
   * (with `check_name`), as GitHub's REST API shapes them.
   */
  listCheckRuns(): this {
    return this.on("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", (req) => {
      const full = `${req.params.owner}/${req.params.repo}`.toLowerCase();
      const runs = this.checkRuns.filter(
        (c) =>
          c.repo === full &&
          c.head_sha === req.params.ref &&
          (!req.query.check_name || c.name === req.query.check_name) &&
          (!req.query.app_id || c.app_id === Number(req.query.app_id)),
      );
      return {
        status: 200,
        body: {
          total_count: runs.length,
          check_runs: runs.map((c) => ({
            id: c.id,
            head_sha: c.head_sha,
            node_id: `CR_${c.id}`,
            external_id: c.external_id,
            url: `${this.baseUrl}/repos/${full}/check-runs/${c.id}`,
            html_url: `https://github.com/${full}/runs/${c.id}`,
            details_url: c.details_url,
            status: c.status,
            conclusion: c.conclusion,
            started_at: null,
            completed_at: c.completed_at ?? null,
            output: { title: c.title, summary: c.summary, text: null, annotations_count: 0, annotations_url: "" },
            name: c.name,
            check_suite: { id: 1 },
            app: { id: c.app_id, slug: c.app_id === TEST_APP_ID ? "flibs" : `app-${c.app_id}`, name: "app" },
            pull_requests: [],
          })),
        },
      };
    });
  }

  /** The URL `listen()` serves the API at (`http://127.0.0.1:PORT` plus the base path), once it listens. */
  listeningUrl?: string;

  /**
   * Serves the same fake over node:http on 127.0.0.1, for code running in other processes (the App as
   * `probot run`, a workflow's steps). REST answers under the base URL's path, GraphQL at `/graphql`, or at
   * GHES' `/api/graphql` when the base URL ends in `/api/v3` (so an App with `GHE_HOST=127.0.0.1:PORT` and
   * `GHE_PROTOCOL=http` reaches it). Requests are validated and recorded exactly as intercepted ones are.
   */
  async listen(): Promise<{ url: string; close(): Promise<void> }> {
    this.start();
    const basePath = new URL(this.baseUrl).pathname.replace(/\/+$/, "");
    const server = createServer((req, res) => {
      void readBody(req).then(async (raw) => {
        const origin = `http://${req.headers.host ?? "127.0.0.1"}`;
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")]));
        let status: number;
        let body: unknown;
        let replyHeaders: Record<string, string>;
        try {
          [status, body, replyHeaders] = await this.handle(
            req.method ?? "GET",
            `${origin}${req.url ?? "/"}`,
            raw === "" ? undefined : raw,
            headers,
          );
        } catch (e) {
          [status, body, replyHeaders] = this.fail(
            `${req.method} ${req.url}: the fake threw: ${e instanceof Error ? e.message : String(e)}`,
          );
        }
        const text = typeof body === "string" ? body : JSON.stringify(body);
        const type = Object.keys(replyHeaders).some((k) => k.toLowerCase() === "content-type")
          ? {}
          : { "content-type": typeof body === "string" ? "text/plain; charset=utf-8" : "application/json; charset=utf-8" };
        res.writeHead(status, { ...type, ...replyHeaders });
        res.end(status === 204 || status === 304 ? undefined : text);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${basePath}`;
    this.listeningUrl = url;
    return {
      url,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }

  /** Requests to one operation (`POST /repos/{owner}/{repo}/check-runs`), or all of them. */
  calls(route?: string): GitHubRequest[] {
    if (!route) return [...this.requests];
    const [method = "", template = ""] = route.split(" ");
    const key = `${method.toUpperCase()} ${template}`;
    return this.requests.filter((r) => r.route === key);
  }

  /** Requests other than installation-token creation: the API calls the app chose to make. */
  apiCalls(): GitHubRequest[] {
    return this.requests.filter((r) => r.route !== AUTH_ROUTE);
  }

  /** Writes (POST/PUT/PATCH/DELETE, GraphQL mutations) other than token creation: what GitHub's write budget counts. */
  writes(): GitHubRequest[] {
    return this.apiCalls().filter(
      (r) => r.method !== "GET" && r.method !== "HEAD" && !(r.route === GRAPHQL_ROUTE && isGraphqlQuery(r.body)),
    );
  }

  /** Throws one readable error listing every problem seen since `start()`. */
  verify(): void {
    if (this.problems.length === 0) return;
    throw new Error(`FakeGitHub saw ${this.problems.length} problem(s):\n- ${this.problems.join("\n- ")}`);
  }

  private async handle(
    method: string,
    url: string,
    rawBody: unknown,
    headers: Record<string, string>,
  ): Promise<[number, unknown, Record<string, string>]> {
    const body = parseBody(rawBody);
    const u = new URL(url);
    const basePath = new URL(this.baseUrl).pathname.replace(/\/+$/, "");
    const path = basePath && u.pathname.startsWith(basePath) ? u.pathname.slice(basePath.length) : u.pathname;
    const token = /^(?:token|bearer)\s+(\S+)$/i.exec(headers.authorization ?? "")?.[1];
    const installationId = token ? this.tokens.get(token) : undefined;
    const query = Object.fromEntries(u.searchParams);
    const base = { method, url, path, query, body, headers, ...(installationId !== undefined ? { installationId } : {}) };
    // GraphQL lives at /graphql (GHES: /api/graphql, beside /api/v3).
    const graphqlPath = basePath ? `${basePath.replace(/\/v3$/, "")}/graphql` : "/graphql";
    if (method === "POST" && u.pathname === graphqlPath) return await this.handleGraphql({ ...base, path: "/graphql" });
    if (basePath && !u.pathname.startsWith(`${basePath}/`)) {
      this.requests.push({ ...base, route: "", operationId: "", params: {} });
      return this.fail(`${method} ${url}: not under the API base URL ${this.baseUrl}`);
    }
    const check = checkRequest(method, `${u.origin}${path}${u.search}`, body, this.spec);
    if (!check.ok) {
      this.requests.push({ ...base, route: "", operationId: "", params: {} });
      return this.fail(check.error);
    }
    const req: GitHubRequest = { ...base, route: check.route, operationId: check.operationId, params: check.params };
    this.requests.push(req);
    for (const l of this.listeners) l(req);
    for (const r of this.routes) {
      if (r.route !== check.route || r.times <= 0) continue;
      const reply = await r.handler(req);
      if (reply === undefined) continue;
      r.times--;
      return [reply.status ?? 200, reply.body ?? "", reply.headers ?? {}];
    }
    return this.fail(`no route answers ${check.route} (${method} ${path}); register one with github.on(...)`);
  }

  private async handleGraphql(
    base: Omit<GitHubRequest, "route" | "operationId" | "params">,
  ): Promise<[number, unknown, Record<string, string>]> {
    let check: ReturnType<typeof checkGraphql>;
    try {
      check = checkGraphql(base.body);
    } catch (e) {
      check = { ok: false, error: `POST /graphql could not be checked: ${e instanceof Error ? e.message : String(e)}` };
    }
    const req: GitHubRequest = { ...base, route: check.ok ? GRAPHQL_ROUTE : "", operationId: check.ok ? "graphql" : "", params: {} };
    this.requests.push(req);
    for (const l of this.listeners) l(req);
    if (!check.ok) return this.fail(check.error);
    try {
      return await this.answerGraphql({ ...req, graphql: check.request });
    } catch (e) {
      return this.fail(`POST /graphql: the fake could not answer: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private async answerGraphql(call: GraphqlCall): Promise<[number, unknown, Record<string, string>]> {
    const check = { request: call.graphql };
    const handlers: GraphqlHandler[] = [...this.graphqlHandlers, () => ({ root: this.defaultGraphqlRoot() })];
    for (const h of handlers) {
      const reply = await h(call);
      if (reply === undefined) continue;
      if ("root" in reply)
        return [200, await executeGraphql(check.request, reply.root), { "content-type": "application/json; charset=utf-8" }];
      return [reply.status ?? 200, reply.body ?? "", reply.headers ?? {}];
    }
    return this.fail("no handler answers POST /graphql");
  }

  private fail(message: string): [number, unknown, Record<string, string>] {
    this.problems.push(message);
    return [501, { message: `FakeGitHub: ${message}` }, {}];
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function parseBody(raw: unknown): unknown {
  if (raw === undefined || raw === null || raw === "") return undefined;
  if (typeof raw !== "string") return raw;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/** GitHub's 404 body. */
export function notFound(): GitHubReply {
  return { status: 404, body: { message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" } };
}

/** GitHub's 5xx body. */
export function serverError(status = 500): GitHubReply {
  return { status, body: { message: "Server Error" } };
}

/**
 * One FakeGitHub for a test file: started before each test, verified and stopped after it, so a test
 * that made an invalid or unanswered request fails.
 */
export function useFakeGitHub(options: FakeGitHubOptions = {}): FakeGitHub {
  const github = new FakeGitHub(options);
  beforeEach(() => {
    github.start();
  });
  afterEach(() => {
    try {
      github.verify();
    } finally {
      github.stop();
    }
  });
  return github;
}
