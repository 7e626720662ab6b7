/**
 * Webhook benchmark: the App's running HTTP server (Probot's own, in a child process, signed deliveries) under
 * an open-loop load of BENCH_RATE deliveries/s (default 100) for BENCH_SECONDS (default 30), spread round-robin
 * over BENCH_INSTALLATIONS installations (default 1000, one repository each), a realistic mix:
 * pull_request.synchronize, workflow_job (queued/in_progress/completed) and issue_comment on a PR.
 * GitHub is a small fake HTTP server on loopback in this process. Prints p50/p99 latency to the response and to
 * the first check-run request the delivery caused, errors, GitHub requests per delivery, and the App's RSS.
 * Goal: p99 response under 50 ms and 0 errors (exit code 1 otherwise). BENCH_THROTTLE=off runs the App without
 * Probot's per-installation write spacing, to tell flibs' own cost from GitHub's one-write-a-second rule.
 *
 * An open-loop generator (each delivery sent at its scheduled time, whatever is in flight) rather than
 * autocannon's per-connection rate, which bursts each connection's quota at the start of every second.
 */
import { fork, type ChildProcess } from "node:child_process";
import { createHash, createHmac, randomUUID } from "node:crypto";
import { createServer, request, Agent, type IncomingMessage, type ServerResponse } from "node:http";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { examplePayload } from "../test/helpers/github-app.js";

/** `--soak`: the same load held for 5 minutes (BENCH_SECONDS 300), judged also on RSS growth after warm-up. */
const SOAK = process.argv.includes("--soak");
const RATE = positive("BENCH_RATE", 100);
const SECONDS = positive("BENCH_SECONDS", SOAK ? 300 : 30);
const INSTALLATIONS = positive("BENCH_INSTALLATIONS", 1000);
const SECRET = "bench-webhook-secret";
const APP_ENTRY = process.env.BENCH_APP_ENTRY ?? join(import.meta.dirname, "webhooks-app.mjs");

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  return n;
}

type Kind = "pull_request.synchronize" | "workflow_job" | "issue_comment";
/** 4 in 10 PR pushes, 4 in 10 job events, 2 in 10 comments. */
const MIX: Kind[] = ["pull_request.synchronize", "workflow_job", "issue_comment", "workflow_job", "pull_request.synchronize", "workflow_job", "pull_request.synchronize", "issue_comment", "workflow_job", "pull_request.synchronize"];
const JOB_ACTIONS = ["queued", "in_progress", "completed"] as const;
const COMMENTS = ["Looks good to me, thanks!", "/help", "Could you rebase on main?", "/retest aarch64"];

// Delivery i carries sha hex(i) and comment/check ids derived from i, so the fake maps requests back to it.
const shaOf = (i: number) => i.toString(16).padStart(40, "0");
const indexOfSha = (sha: string) => (/^[0-9a-f]{40}$/.test(sha) ? parseInt(sha.slice(-12), 16) : undefined);
const checkIdOf = (i: number, k: number) => i * 10 + k + 1;
const repoOf = (inst: number) => ({ owner: `org-${inst}`, name: `image-${inst}` });

/**
 * Delivery i goes to installation i mod N (round-robin: each installation sees one delivery every N/RATE
 * seconds), and each installation cycles through the mix.
 */
// Consecutive deliveries cycle through the mix, and each round shifts it, so every installation sees every kind.
const kindOf = (i: number): Kind => MIX[(i + Math.floor(i / INSTALLATIONS)) % MIX.length]!;

function delivery(i: number, only?: { kind: Kind; installation: number }): { kind: Kind; name: string; body: string } {
  const kind = only?.kind ?? kindOf(i);
  const inst = only?.installation ?? (i % INSTALLATIONS) + 1;
  const { owner, name } = repoOf(inst);
  const sha = shaOf(i);
  const opts = { installationId: inst, repo: `${owner}/${name}`, headSha: sha, sender: `dev-${inst}` };
  let p: any;
  if (kind === "pull_request.synchronize") {
    p = examplePayload("pull_request", "synchronize", { ...opts, edit: (x) => (x.number = x.pull_request.number = (i % 500) + 1) });
  } else if (kind === "workflow_job") {
    const action = JOB_ACTIONS[i % JOB_ACTIONS.length]!;
    p = examplePayload("workflow_job", undefined, {
      ...opts,
      edit: (x) => {
        x.action = action;
        const job = x.workflow_job;
        job.name = `build (x86_64) ${sha}.1`;
        job.workflow_name = "flibs";
        job.run_id = i;
        job.id = i;
        job.head_branch = "main";
        job.status = action;
        job.conclusion = action === "completed" ? "success" : null;
        job.completed_at = action === "completed" ? new Date().toISOString() : null;
        job.html_url = `https://github.com/${owner}/${name}/actions/runs/${i}/job/${i}`;
        job.labels = ["self-hosted", "linux", "x86_64"];
      },
    });
  } else {
    p = examplePayload("issue_comment", "created", {
      ...opts,
      edit: (x) => {
        x.issue.number = (i % 500) + 1;
        x.issue.pull_request = { url: `https://api.github.com/repos/${owner}/${name}/pulls/${x.issue.number}`, html_url: "", diff_url: "", patch_url: "", merged_at: null };
        x.comment.id = i;
        x.comment.body = COMMENTS[i % COMMENTS.length];
      },
    });
  }
  return { kind, name: kind.split(".")[0]!, body: JSON.stringify(p) };
}

// ---- the fake GitHub ----------------------------------------------------------------------------------

const POLICY = "arches: [x86_64, aarch64]\nregistries:\n  candidate: ghcr.io/my-org/candidates\n  stable: ghcr.io/my-org\n";
const FILES: Record<string, string> = {
  "container.yaml": "image: hello\nplatforms:\n  not: [s390x]\n",
  Dockerfile:
    'FROM registry.fedoraproject.org/fedora-minimal:41\nLABEL com.redhat.component="hello-container" name="my-org/hello" version="1.0" summary="Prints hello" maintainer="Hello <hello@example.com>"\nRUN microdnf -y install hello && microdnf clean all\nUSER 1001\nCMD ["hello"]\n',
};

interface Seen {
  /** When each of its GitHub requests arrived (BENCH_TRACE=1 prints the median offsets per request). */
  trace?: Array<[string, number]>;
  requests: number;
  writes: number;
  firstCheck?: number;
  firstWrite?: number;
}
const seen = new Map<number, Seen>();
const unattributed = { requests: 0, writes: 0 };
const unfaked = new Map<string, number>();
let lastRequestAt = 0;

const TRACE = process.env.BENCH_TRACE === "1";

function record(i: number | undefined, write: boolean, checkRun: boolean, what = ""): void {
  const now = performance.now();
  lastRequestAt = now;
  if (i === undefined) {
    unattributed.requests++;
    if (write) unattributed.writes++;
    return;
  }
  const s = seen.get(i) ?? { requests: 0, writes: 0 };
  s.requests++;
  if (TRACE) (s.trace ??= []).push([what, now]);
  if (write) {
    s.writes++;
    s.firstWrite ??= now;
    if (checkRun) s.firstCheck ??= now;
  }
  seen.set(i, s);
}

function json(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "x-ratelimit-remaining": "4999", ...headers });
  res.end(text);
}

/**
 * The check runs GitHub has for a commit: none for a PR's new head; for a commit being built, `flibs/build`
 * (with the plan record the build flow wrote) and one check per arch.
 */
function checkRunsFor(sha: string, name?: string | null) {
  const i = indexOfSha(sha) ?? 0;
  if (i >= 1_000_000 || kindOf(i) !== "workflow_job") return { total_count: 0, check_runs: [] };
  const id = { external: `${sha}.1` };
  const plan = '<!-- flibs:plan {"arches":["x86_64","aarch64"],"building":["x86_64","aarch64"]} -->';
  const run = (k: number, name: string, target: string) => ({
    id: checkIdOf(i, k),
    head_sha: sha,
    name,
    status: "queued",
    conclusion: null,
    external_id: `flibs:${id.external}:${target}`,
    output: { title: "Queued", summary: target === "summary" ? `Build ${sha}.1\n${plan}` : "", text: null },
    started_at: null,
    completed_at: null,
    details_url: null,
    app: { id: 12345, slug: "flibs" },
  });
  const runs = [run(0, "flibs/build", "summary"), run(1, "flibs/build (x86_64)", "x86_64"), run(2, "flibs/build (aarch64)", "aarch64")].filter((r) => !name || r.name === name);
  return { total_count: runs.length, check_runs: runs };
}

/** Installation tokens the fake issued since the load started (each one costs the App a JWT signature). */
let tokensIssued = 0;

function serveGitHub(req: IncomingMessage, res: ServerResponse, body: string): void {
  const url = new URL(req.url ?? "/", "http://github.test");
  const method = req.method ?? "GET";
  const path = url.pathname.replace(/^\/api\/v3/, "");
  const write = method !== "GET" && method !== "HEAD";
  const m = (re: RegExp) => re.exec(path);
  let hit: RegExpExecArray | null;

  if ((hit = m(/^\/app\/installations\/(\d+)\/access_tokens$/))) {
    tokensIssued++;
    record(undefined, false, false);
    return json(res, 201, { token: `ghs_bench_${hit[1]}`, expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: {}, repository_selection: "all" });
  }
  if ((hit = m(/^\/repos\/([^/]+)\/([^/]+)\/contents\/(.+)$/))) {
    const ref = url.searchParams.get("ref") ?? "";
    record(indexOfSha(ref), false, false, `GET ${hit[3]}`);
    const file = decodeURIComponent(hit[3]!);
    const text = hit[2] === ".github" ? (file === ".github/flibs.yml" ? POLICY : undefined) : FILES[file];
    if (text === undefined) return json(res, 404, { message: "Not Found" });
    const etag = `"${createHash("sha1").update(text).digest("hex")}"`;
    if (req.headers["if-none-match"] === etag) {
      res.writeHead(304, { etag });
      return void res.end();
    }
    if (/raw/.test(String(req.headers.accept ?? ""))) {
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8", etag });
      return void res.end(text);
    }
    return json(res, 200, { type: "file", encoding: "base64", path: file, name: file.split("/").pop(), content: Buffer.from(text).toString("base64"), sha: "0".repeat(40) }, { etag });
  }
  if ((hit = m(/^\/repos\/[^/]+\/[^/]+\/check-runs$/)) && method === "POST") {
    const head = (JSON.parse(body || "{}") as { head_sha?: string }).head_sha ?? "";
    const i = indexOfSha(head);
    record(i, true, true, "POST check-runs");
    return json(res, 201, { id: checkIdOf(i ?? 0, 5), head_sha: head });
  }
  if ((hit = m(/^\/repos\/[^/]+\/[^/]+\/check-runs\/(\d+)$/))) {
    record(Math.floor((Number(hit[1]) - 1) / 10), write, true);
    return json(res, 200, { id: Number(hit[1]) });
  }
  if ((hit = m(/^\/repos\/[^/]+\/[^/]+\/commits\/([0-9a-f]{40})\/check-runs$/))) {
    record(indexOfSha(hit[1]!), false, false, "GET check-runs");
    return json(res, 200, checkRunsFor(hit[1]!, url.searchParams.get("check_name")));
  }
  if (path === "/graphql" && method === "POST") {
    // The build flow's one read of a commit: files, policy and check runs.
    const { query, variables } = JSON.parse(body || "{}") as { query?: string; variables?: Record<string, string> };
    const sha = variables?.sha ?? "";
    record(indexOfSha(sha), false, false, "POST graphql");
    if (!query?.includes("flibsCommitState")) {
      unfaked.set("POST /graphql (other query)", (unfaked.get("POST /graphql (other query)") ?? 0) + 1);
      return json(res, 200, { data: null, errors: [{ type: "NOT_FOUND", message: "bench fake: unknown query" }] });
    }
    const runs = checkRunsFor(sha).check_runs.map((c) => ({ databaseId: c.id, name: c.name, status: c.status.toUpperCase(), conclusion: null, externalId: c.external_id }));
    return json(res, 200, {
      data: {
        repository: {
          config: { text: FILES["container.yaml"], isBinary: false },
          dockerfile: { text: FILES.Dockerfile, isBinary: false },
          commit: { checkSuites: { nodes: runs.length ? [{ app: { slug: "flibs" }, checkRuns: { nodes: runs } }] : [] } },
        },
        org: { policy: { text: POLICY, isBinary: false } },
      },
    });
  }
  if ((hit = m(/^\/repos\/([^/]+)\/([^/]+)\/collaborators\/([^/]+)\/permission$/))) {
    record(undefined, false, false);
    return json(res, 200, { permission: "write", role_name: "write", user: { login: hit[3] } });
  }
  if ((hit = m(/^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/))) {
    record(undefined, false, false);
    const n = Number(hit[3]);
    const full = `${hit[1]}/${hit[2]}`;
    return json(res, 200, {
      number: n,
      state: "open",
      merged: false,
      merge_commit_sha: null,
      user: { login: `dev-${hit[1]}` },
      head: { sha: shaOf(n), ref: "feature", repo: { full_name: full, fork: false } },
      base: { sha: shaOf(0), ref: "main", repo: { full_name: full, default_branch: "main" } },
    });
  }
  if ((hit = m(/^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)\/reactions$/))) {
    record(Number(hit[1]), true, false);
    return json(res, 201, { id: 1, content: "+1" });
  }
  if ((hit = m(/^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/)) && method === "POST") {
    record(undefined, true, false);
    return json(res, 201, { id: 1 });
  }
  if (m(/^\/repos\/[^/]+\/[^/]+\/actions\/workflows\/[^/]+\/dispatches$/)) {
    record(undefined, true, false);
    res.writeHead(204);
    return void res.end();
  }
  if (m(/^\/repos\/[^/]+\/[^/]+\/actions\/runs$/)) {
    record(undefined, false, false);
    return json(res, 200, { total_count: 0, workflow_runs: [] });
  }
  if (m(/^\/repos\/[^/]+\/[^/]+\/actions\/runs\/\d+\/cancel$/)) {
    record(undefined, true, false);
    return json(res, 202, {});
  }
  record(undefined, write, false);
  const key = `${method} ${path.replace(/\/[0-9a-f]{40}\b/g, "/{sha}").replace(/\/\d+\b/g, "/{n}").replace(/^\/repos\/[^/]+\/[^/]+/, "/repos/{o}/{r}")}`;
  unfaked.set(key, (unfaked.get(key) ?? 0) + 1);
  json(res, 404, { message: "Not Found (bench fake)" });
}

async function startFakeGitHub(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => serveGitHub(req, res, Buffer.concat(chunks).toString("utf8")));
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

// ---- the load -----------------------------------------------------------------------------------------

interface Sent {
  kind: Kind;
  at: number;
  latency?: number;
  status?: number;
  error?: string;
}

/** Requests sent again because a kept-alive socket was closed by the server as it was reused (not an App error). */
let staleSocketRetries = 0;

function send(agent: Agent, port: number, d: { name: string; body: string }, s: Sent): Promise<void> {
  const signature = `sha256=${createHmac("sha256", SECRET).update(d.body).digest("hex")}`;
  const id = randomUUID();
  const attempt = (first: boolean): Promise<void> =>
    new Promise((resolve) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          path: "/api/github/webhooks",
          method: "POST",
          agent,
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(d.body),
            "user-agent": "GitHub-Hookshot/bench",
            "x-github-event": d.name,
            "x-github-delivery": id,
            "x-hub-signature-256": signature,
          },
          timeout: 10_000,
        },
        (res) => {
          res.resume();
          res.on("end", () => {
            s.latency = performance.now() - s.at;
            s.status = res.statusCode;
            resolve();
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error("no response within 10 s (GitHub's limit)")));
      req.on("error", (e: NodeJS.ErrnoException) => {
        // Node's documented keep-alive race: the server closed an idle socket just as it was reused.
        if (first && req.reusedSocket && e.code === "ECONNRESET") {
          staleSocketRetries++;
          resolve(attempt(false));
          return;
        }
        s.error = e.message;
        resolve();
      });
      if (first) s.at = performance.now();
      req.end(d.body);
    });
  return attempt(true);
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return typeof address === "object" && address ? address.port : 0;
}

function pct(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
// NaN crosses the IPC channel as null.
const ms = (v: number | null) => (typeof v === "number" && Number.isFinite(v) ? `${v.toFixed(1)} ms` : "-");
const mb = (v: number) => `${(v / 1024 / 1024).toFixed(0)} MB`;

async function main(): Promise<void> {
  const github = await startFakeGitHub();
  const app: ChildProcess = fork(APP_ENTRY, [], {
    // e.g. BENCH_APP_ARGS="--cpu-prof --cpu-prof-dir=prof" to profile the App.
    execArgv: (process.env.BENCH_APP_ARGS ?? "").split(/\s+/).filter(Boolean),
    env: { ...process.env, FAKE_GITHUB_URL: github.url, WEBHOOK_SECRET: SECRET, PORT: String(await freePort()), NODE_ENV: "production" },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => app.once("exit", () => resolve()));
  /** Disconnecting makes the App stop its server and exit (writing a --cpu-prof profile); a stuck one is killed. */
  const stopApp = async () => {
    if (app.connected) app.disconnect();
    const timer = setTimeout(() => app.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };
  process.once("SIGINT", () => {
    app.kill("SIGKILL");
    process.exit(130);
  });
  let rssPeak = 0;
  let rssLast = 0;
  /** RSS samples (every 100 ms) during the measured load, with the time since the load started. */
  let loadStart: number | undefined;
  const rssDuringLoad: Array<{ at: number; rss: number }> = [];
  interface AppReport {
    cpuMs: number;
    loopP99: number;
    loopMax: number;
    roundTrips: number;
    roundTripP50: number;
    roundTripP99: number;
  }
  let reported: ((r: AppReport) => void) | undefined;
  const appReport = () =>
    new Promise<AppReport>((resolve) => {
      reported = resolve;
      app.send("report");
    });
  const port = await new Promise<number>((resolve, reject) => {
    app.on("message", (msg: { ready?: number; rss?: number; running?: number; report?: AppReport }) => {
      if (typeof msg.running === "number") appRunning = msg.running;
      if (msg.ready) resolve(msg.ready);
      if (msg.report) reported?.(msg.report);
      if (msg.rss) {
        rssLast = msg.rss;
        rssPeak = Math.max(rssPeak, msg.rss);
        if (loadStart !== undefined) rssDuringLoad.push({ at: (performance.now() - loadStart) / 1000, rss: msg.rss });
      }
    });
    app.once("exit", (code) => reject(new Error(`the App exited (${code}) before it listened`)));
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  try {
    // Warm-up: one delivery per installation (tokens fetched and cached, code paths compiled), not measured.
    const warm: Promise<void>[] = [];
    for (let k = 0; k < INSTALLATIONS; k++) {
      warm.push(send(agent, port, delivery(1_000_000 + k, { kind: "pull_request.synchronize", installation: k + 1 }), { kind: "pull_request.synchronize", at: 0 }));
    }
    await Promise.all(warm);
    await settle();
    const rssAfterWarmup = rssLast;
    await appReport();
    const driverCpu0 = process.cpuUsage();
    const driverLoop = monitorEventLoopDelay({ resolution: 10 });
    driverLoop.enable();
    for (const k of [...seen.keys()]) seen.delete(k);
    tokensIssued = 0;

    const total = Math.round(RATE * SECONDS);
    const sent: Sent[] = [];
    const inflight: Promise<void>[] = [];
    const start = performance.now();
    loadStart = start;
    let next = 0;
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * RATE) + 1);
        for (; next < due; next++) {
          const d = delivery(next);
          const s: Sent = { kind: d.kind, at: 0 };
          sent.push(s);
          inflight.push(send(agent, port, d, s));
        }
        if (next >= total) {
          clearInterval(tick);
          resolve();
        }
      }, 1);
    });
    const elapsed = (performance.now() - start) / 1000;
    await Promise.all(inflight);
    await settle();
    const measured = await appReport();

    const ok = sent.filter((s) => s.status !== undefined && s.status >= 200 && s.status < 300);
    const errors = sent.length - ok.length;
    const latencies = ok.map((s) => s.latency!);
    console.log(`flibs webhooks bench${process.env.BENCH_THROTTLE === "off" ? " (write throttling off)" : ""}: ${sent.length} deliveries sent over ${elapsed.toFixed(1)} s (${(sent.length / elapsed).toFixed(1)}/s), ${INSTALLATIONS} installations, mix ${Object.entries(countBy(sent.map((s) => s.kind))).map(([k, v]) => `${k} ${v}`).join(", ")}`);
    console.log(`response latency     p50 ${ms(pct(latencies, 50))}  p99 ${ms(pct(latencies, 99))}  max ${ms(pct(latencies, 100))}`);
    for (const kind of new Set(sent.map((s) => s.kind))) {
      const firsts = sent.flatMap((s, i) => (s.kind === kind && seen.get(i)?.firstCheck !== undefined ? [seen.get(i)!.firstCheck! - s.at] : []));
      const lat = sent.filter((s) => s.kind === kind && s.latency !== undefined).map((s) => s.latency!);
      const of = sent.filter((s) => s.kind === kind).length;
      const reqs = sent.reduce((n, s, i) => n + (s.kind === kind ? (seen.get(i)?.requests ?? 0) : 0), 0);
      const writes = sent.reduce((n, s, i) => n + (s.kind === kind ? (seen.get(i)?.writes ?? 0) : 0), 0);
      console.log(
        `  ${kind.padEnd(25)} response p50 ${ms(pct(lat, 50))} p99 ${ms(pct(lat, 99))}; first check-run request p50 ${ms(pct(firsts, 50))} p99 ${ms(pct(firsts, 99))} (${firsts.length}/${of}); ` +
          `GitHub requests/delivery ${(reqs / of).toFixed(2)} (writes ${(writes / of).toFixed(2)})`,
      );
    }
    if (TRACE) {
      const offsets = new Map<string, number[]>();
      sent.forEach((s, i) => {
        for (const [what, at] of seen.get(i)?.trace ?? []) offsets.set(`${s.kind} ${what}`, [...(offsets.get(`${s.kind} ${what}`) ?? []), at - s.at]);
      });
      for (const [what, v] of offsets) console.log(`  trace ${what}: p50 ${ms(pct(v, 50))} p99 ${ms(pct(v, 99))} after the delivery was sent`);
    }
    const firstChecks = sent.flatMap((s, i) => (seen.get(i)?.firstCheck !== undefined ? [seen.get(i)!.firstCheck! - s.at] : []));
    console.log(`first check-run req  p50 ${ms(pct(firstChecks, 50))}  p99 ${ms(pct(firstChecks, 99))}  (${firstChecks.length} deliveries made one)`);
    console.log(`installation tokens issued during the load: ${tokensIssued} (${INSTALLATIONS} installations, tokens fetched in warm-up)`);
    console.log(`requests not tied to one delivery (policy reads, permissions, dispatches): ${unattributed.requests} (${unattributed.writes} writes)`);
    if (unfaked.size) console.log(`requests the fake does not serve (answered 404): ${[...unfaked].map(([k, v]) => `${k} x${v}`).join(", ")}`);
    const failures = countBy(sent.filter((s) => !ok.includes(s)).map((s) => s.error ?? `HTTP ${s.status}`));
    if (staleSocketRetries) console.log(`resent on a fresh socket (keep-alive race, counted in latency): ${staleSocketRetries}`);
    console.log(`errors               ${errors}${errors ? ` (${Object.entries(failures).map(([k, v]) => `${k} x${v}`).join(", ")})` : ""}`);
    const driverCpu = process.cpuUsage(driverCpu0);
    console.log(`GitHub round trips   ${measured.roundTrips} as the App saw them: p50 ${ms(measured.roundTripP50)} p99 ${ms(measured.roundTripP99)}`);
    console.log(
      `App CPU              ${((measured.cpuMs / 1000 / elapsed) * 100).toFixed(0)}% of a core; event-loop delay p99 ${ms(measured.loopP99)}, max ${ms(measured.loopMax)} ` +
        `(driver and fake GitHub: ${(((driverCpu.user + driverCpu.system) / 1e6 / elapsed) * 100).toFixed(0)}% of a core, event-loop delay p99 ${ms(driverLoop.percentile(99) / 1e6)})`,
    );
    console.log(`App RSS              after warm-up ${mb(rssAfterWarmup)}, peak ${mb(rssPeak)}, at the end ${mb(rssLast)}`);
    const p99 = pct(latencies, 99);
    let pass = errors === 0 && p99 < 50;
    console.log(`goal (p99 < 50 ms, 0 errors): ${pass ? "met" : "NOT met"}`);
    if (SOAK) {
      // Warm-up is the first fifth of the load (at least 30 s): the App's caches (tokens, limiter groups,
      // compiled code) fill there. Growth compares the median RSS of the run's last minute with the median of
      // the minute after warm-up, so a garbage-collection peak at either end does not decide it.
      const warmupEnd = Math.max(30, elapsed / 5);
      const window = (from: number, to: number) => rssDuringLoad.filter((r) => r.at >= from && r.at < to).map((r) => r.rss);
      const early = pct(window(warmupEnd, warmupEnd + 60), 50);
      const late = pct(window(elapsed - 60, elapsed + 1), 50);
      const growth = ((late - early) / early) * 100;
      console.log(`soak RSS             median ${mb(early)} in the minute after warm-up (${warmupEnd.toFixed(0)} s), ${mb(late)} in the last minute: growth ${growth.toFixed(1)}%`);
      const held = Number.isFinite(growth) && growth <= 10;
      console.log(`soak goal (RSS growth <= 10% after warm-up): ${held ? "met" : "NOT met"}`);
      pass &&= held;
    }
    if (!pass) process.exitCode = 1;
  } finally {
    agent.destroy();
    await stopApp();
    await github.close();
  }
}

/** Deliveries whose work the App still runs (it answers each delivery before its work is done). */
let appRunning = 0;

/** Waits until the App has no delivery's work running and made no GitHub request for 300 ms. */
async function settle(): Promise<void> {
  lastRequestAt = performance.now();
  await new Promise((r) => setTimeout(r, 200));
  while (appRunning > 0 || performance.now() - lastRequestAt < 300) await new Promise((r) => setTimeout(r, 50));
}

function countBy(items: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[i] = (out[i] ?? 0) + 1;
  return out;
}

await main();
