/**
 * Webhook benchmark: the App's running HTTP server (Probot's own, in a child process, signed deliveries) under
 * an open-loop load of BENCH_RATE deliveries/s (default 100) for BENCH_SECONDS (default 30), spread round-robin
 * over BENCH_INSTALLATIONS installations (default 1000, one repository each), a realistic mix:
 * pull_request.synchronize, workflow_job (queued/in_progress/completed) and issue_comment on a PR.
 * GitHub is the tests' world (test/helpers/world.ts) listening on loopback in this process: every request the App
 * makes is checked against GitHub's OpenAPI description and GraphQL schema (one that is not counts as an error),
 * dispatches start runs of the shipped caller workflow (validated against its inputs, answered with the run id), and
 * the workflow_job deliveries are the fake Actions' own events of BENCH_JOB_RUNS (40) builds the App dispatched
 * and the shipped workflows ran (the Action a stand-in) before the load, each delivered in the order GitHub sent it,
 * then again as redeliveries. Prints p50/p99 latency to the response and to the first check-run request the
 * delivery caused, errors, GitHub requests per delivery, and the App's RSS.
 * Goal: p99 response under 50 ms and 0 errors (exit code 1 otherwise). BENCH_THROTTLE=off runs the App without
 * Probot's per-installation write spacing, to tell flibs' own cost from GitHub's one-write-a-second rule.
 *
 * An open-loop generator (each delivery sent at its scheduled time, whatever is in flight) rather than
 * autocannon's per-connection rate, which bursts each connection's quota at the start of every second.
 */
import { fork, type ChildProcess } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { createServer, request, Agent } from "node:http";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Delivery } from "../test/helpers/actions/index.js";
import { examplePayload } from "../test/helpers/github-app.js";
import { FakeGitHub, GRAPHQL_ROUTE, type GitHubRequest } from "../test/helpers/github.js";
import { World } from "../test/helpers/world.js";

/** `--soak`: the same load held for 5 minutes (BENCH_SECONDS 300), judged also on RSS growth after warm-up. */
const SOAK = process.argv.includes("--soak");
const RATE = positive("BENCH_RATE", 100);
const SECONDS = positive("BENCH_SECONDS", SOAK ? 300 : 30);
const INSTALLATIONS = positive("BENCH_INSTALLATIONS", 1000);
const JOB_RUNS = positive("BENCH_JOB_RUNS", 40);
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
const MIX: Kind[] = [
  "pull_request.synchronize",
  "workflow_job",
  "issue_comment",
  "workflow_job",
  "pull_request.synchronize",
  "workflow_job",
  "pull_request.synchronize",
  "issue_comment",
  "workflow_job",
  "pull_request.synchronize",
];
const COMMENTS = ["Looks good to me, thanks!", "/help", "Could you rebase on main?", "/retest aarch64"];

// Delivery i carries sha hex(i) and comment ids derived from i, so GitHub's requests map back to it.
const shaOf = (i: number) => i.toString(16).padStart(40, "0");
const indexOfSha = (sha: string) => (/^[0-9a-f]{40}$/.test(sha) ? parseInt(sha.slice(-12), 16) : undefined);
const repoOf = (inst: number) => ({ owner: `org-${inst}`, name: `image-${inst}` });

/**
 * Delivery i goes to installation i mod N (round-robin: each installation sees one delivery every N/RATE
 * seconds), and each installation cycles through the mix.
 */
// Consecutive deliveries cycle through the mix, and each round shifts it, so every installation sees every kind.
const kindOf = (i: number): Kind => MIX[(i + Math.floor(i / INSTALLATIONS)) % MIX.length]!;

const POLICY = "arches: [x86_64, aarch64]\nregistries:\n  candidate: ghcr.io/my-org/candidates\n  stable: ghcr.io/my-org\n";
const FILES: Record<string, string> = {
  "container.yaml": "image: hello\nplatforms:\n  not: [s390x]\n",
  Dockerfile:
    'FROM registry.fedoraproject.org/fedora-minimal:41\nLABEL com.redhat.component="hello-container" name="my-org/hello" version="1.0" summary="Prints hello" maintainer="Hello <hello@example.com>"\nRUN microdnf -y install hello && microdnf clean all\nUSER 1001\nCMD ["hello"]\n',
};
/**
 * The organisations whose builds ran before the load (`bench-sample-<k>`, one repository and one installation each):
 * their runners are the only ones online.
 */
const SAMPLE_ORG = "bench-sample";
const sampleOrg = (k: number) => `${SAMPLE_ORG}-${k}`;
const sampleInstallation = (k: number) => 300_000 + k;
const SAMPLE_POLICY = `${POLICY}runner_labels:\n  control: [${SAMPLE_ORG}]\n  x86_64: [self-hosted, linux, x86_64, ${SAMPLE_ORG}]\n  aarch64: [self-hosted, linux, aarch64, ${SAMPLE_ORG}]\n`;

let world: World;
/** The arch jobs' events of the builds that ran before the load, interleaved across builds, each in its run's order. */
let jobEvents: Delivery[] = [];
/** Job deliveries sent so far, and which delivery last went to each sample repository (requests are charged to it). */
let jobsSent = 0;
const lastJobDelivery = new Map<string, number>();

function delivery(
  i: number,
  only?: { kind: Kind; installation: number },
): { kind: Kind; name: string; body: string; repo: string; first?: boolean } {
  const kind = only?.kind ?? kindOf(i);
  const inst = only?.installation ?? (i % INSTALLATIONS) + 1;
  const { owner, name } = repoOf(inst);
  const repo = `${owner}/${name}`;
  const sha = shaOf(i);
  if (kind === "workflow_job") {
    const d = jobEvents[jobsSent % jobEvents.length]!;
    const first = jobsSent < jobEvents.length;
    jobsSent++;
    lastJobDelivery.set(d.payload.repository.full_name, i);
    return { kind, name: d.event, body: JSON.stringify(d.payload), repo: d.payload.repository.full_name, first };
  }
  const number = (i % 500) + 1;
  // The PR's head is this delivery's commit (the App reads it with the commit's state).
  world.pull({ repo, number, head: sha, author: `dev-${inst}` });
  const opts = { installationId: inst, repo, headSha: sha, sender: `dev-${inst}` };
  let p: any;
  if (kind === "pull_request.synchronize") {
    p = examplePayload("pull_request", "synchronize", {
      ...opts,
      edit: (x) => ((x.number = x.pull_request.number = number), (x.repository.default_branch = "main")),
    });
  } else {
    p = examplePayload("issue_comment", "created", {
      ...opts,
      edit: (x) => {
        x.repository.default_branch = "main";
        x.issue.number = number;
        x.issue.pull_request = {
          url: `https://api.github.com/repos/${repo}/pulls/${number}`,
          html_url: "",
          diff_url: "",
          patch_url: "",
          merged_at: null,
        };
        x.comment.id = i;
        x.comment.body = COMMENTS[i % COMMENTS.length];
        x.comment.performed_via_github_app = null;
      },
    });
  }
  return { kind, name: kind.split(".")[0]!, body: JSON.stringify(p), repo };
}

// ---- GitHub: the tests' world ----------------------------------------------------------------------------

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

/** Installation tokens the fake issued since the load started (each one costs the App a JWT signature). */
let tokensIssued = 0;
const AUTH_ROUTE = "POST /app/installations/{installation_id}/access_tokens";

/** The delivery a request of the App was made for: by the commit it names, or (the builds' jobs) its repository. */
function attribute(req: GitHubRequest): number | undefined {
  const repo = req.params.owner ? `${req.params.owner}/${req.params.repo}` : undefined;
  if (repo?.startsWith(`${SAMPLE_ORG}-`)) return lastJobDelivery.get(repo);
  const body = (req.body ?? {}) as {
    head_sha?: string;
    variables?: { sha?: string; owner?: string; name?: string };
    inputs?: { sha?: string };
  };
  if (req.route === GRAPHQL_ROUTE) {
    const r = body.variables?.owner ? `${body.variables.owner}/${body.variables.name}` : "";
    if (r.startsWith(`${SAMPLE_ORG}-`)) return lastJobDelivery.get(r);
    return indexOfSha(body.variables?.sha ?? "");
  }
  if (req.params.comment_id) return Number(req.params.comment_id);
  if (req.params.check_run_id) {
    const check = world.github.checkRuns.find((c) => c.id === Number(req.params.check_run_id));
    return check ? indexOfSha(check.head_sha) : undefined;
  }
  const sha = req.params.ref ?? req.params.commit_sha ?? body.head_sha ?? body.inputs?.sha;
  return sha ? indexOfSha(sha) : undefined;
}

function account(req: GitHubRequest): void {
  if (req.route === AUTH_ROUTE) {
    tokensIssued++;
    record(undefined, false, false);
    return;
  }
  const write = req.method !== "GET" && req.method !== "HEAD" && req.route !== GRAPHQL_ROUTE;
  record(attribute(req), write, write && req.route.includes("/check-runs"), `${req.method} ${req.route}`);
  // Kept for the accounting only: drop the record (a soak would otherwise hold every request).
  if (world.github.requests.length > 1000) world.github.requests.splice(0, 500);
}

/**
 * The world every installation lives in: an organisation and a container repository per installation (their git
 * storage shared, since they are only read and dispatched to), the policy, the people; and the builds whose job
 * events the load delivers, dispatched by the App and run by the fake Actions before the load.
 */
async function startGitHub(): Promise<{ url: string; close: () => Promise<void> }> {
  const github = new FakeGitHub({ intercept: false });
  github.start();
  const api = await github.listen();
  world = await World.create(github, {
    runners: [],
    installations: Object.fromEntries(Array.from({ length: JOB_RUNS }, (_, i) => [sampleOrg(i + 1), sampleInstallation(i + 1)])),
  });
  github.listeners.push(account);
  const base = "bench/base";
  await world.repo(base, FILES);
  for (let inst = 1; inst <= INSTALLATIONS; inst++) {
    const { owner, name } = repoOf(inst);
    world.aliasRepo(base, `${owner}/${name}`);
    world.files(`${owner}/${name}`, FILES).policy(POLICY, owner).role(`dev-${inst}`, "write");
  }
  return {
    url: api.url,
    close: async () => {
      await world.cleanup();
      await api.close();
      github.stop();
    },
  };
}

/**
 * The builds whose job events the load delivers: BENCH_JOB_RUNS pull requests, one per sample organisation, each
 * built by the App (its synchronize delivered) and run by the fake Actions on those organisations' runners (the
 * Action a stand-in), their events recorded, not delivered.
 */
async function runSampleBuilds(send: (d: { name: string; body: string }) => Promise<void>): Promise<void> {
  const base = `${SAMPLE_ORG}/base`;
  await world.repo(base, FILES);
  const head = await world.commit({ "feature.txt": "a change\n" }, { repo: base, branch: "pr-1" });
  world.role("sample-dev", "write");
  world.addRunners(
    [1, 2].flatMap((n) => [
      { name: `sample-control-${n}`, labels: [SAMPLE_ORG] },
      { name: `sample-x86-${n}`, labels: ["self-hosted", "linux", "x86_64", SAMPLE_ORG], arch: "X64" as const },
      { name: `sample-arm-${n}`, labels: ["self-hosted", "linux", "aarch64", SAMPLE_ORG], arch: "ARM64" as const },
    ]),
  );
  const repos: string[] = [];
  for (let k = 1; k <= JOB_RUNS; k++) {
    const repo = `${sampleOrg(k)}/image`;
    repos.push(repo);
    world.aliasRepo(base, repo);
    world.files(repo, FILES).policy(SAMPLE_POLICY, sampleOrg(k));
    world.pull({ repo, number: 1, head, author: "sample-dev" });
    const p = examplePayload("pull_request", "synchronize", {
      installationId: sampleInstallation(k),
      repo,
      headSha: head,
      sender: "sample-dev",
      edit: (x) => ((x.number = x.pull_request.number = 1), (x.repository.default_branch = "main")),
    });
    await send({ name: "pull_request", body: JSON.stringify(p) });
  }
  await until(
    () => repos.every((r) => world.actions.runsOf(r, "flibs.yml")[0]?.status === "completed"),
    15 * 60_000,
    "the sample builds to finish",
  );
  const perRun = repos.map((r) => {
    const run = world.actions.runsOf(r, "flibs.yml")[0]!;
    return world.deliveriesOf(run, { event: "workflow_job", job: /^build \/ build \(/ });
  });
  jobEvents = [];
  for (let i = 0; perRun.some((l) => i < l.length); i++) for (const l of perRun) if (l[i]) jobEvents.push(l[i]!);
  const failed = repos.filter((r) => world.actions.runsOf(r, "flibs.yml")[0]!.conclusion !== "success");
  if (failed.length || jobEvents.length === 0) throw new Error(`sample builds did not pass: ${failed.join(", ") || "no job events"}`);
  // Nothing listens to the runs' deliveries during the load: keep none.
  world.actions.deliveries.length = 0;
}

async function until(probe: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
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
  const github = await startGitHub();
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
      warm.push(
        send(agent, port, delivery(1_000_000 + k, { kind: "pull_request.synchronize", installation: k + 1 }), {
          kind: "pull_request.synchronize",
          at: 0,
        }),
      );
    }
    await Promise.all(warm);
    await settle();
    await runSampleBuilds((d) => send(agent, port, d, { kind: "pull_request.synchronize", at: 0 }));
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
    console.log(
      `flibs webhooks bench${process.env.BENCH_THROTTLE === "off" ? " (write throttling off)" : ""}: ${sent.length} deliveries sent over ${elapsed.toFixed(1)} s (${(sent.length / elapsed).toFixed(1)}/s), ${INSTALLATIONS} installations, mix ${Object.entries(
        countBy(sent.map((s) => s.kind)),
      )
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}`,
    );
    console.log(`response latency     p50 ${ms(pct(latencies, 50))}  p99 ${ms(pct(latencies, 99))}  max ${ms(pct(latencies, 100))}`);
    for (const kind of new Set(sent.map((s) => s.kind))) {
      const firsts = sent.flatMap((s, i) =>
        s.kind === kind && seen.get(i)?.firstCheck !== undefined ? [seen.get(i)!.firstCheck! - s.at] : [],
      );
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
        for (const [what, at] of seen.get(i)?.trace ?? [])
          offsets.set(`${s.kind} ${what}`, [...(offsets.get(`${s.kind} ${what}`) ?? []), at - s.at]);
      });
      for (const [what, v] of offsets)
        console.log(`  trace ${what}: p50 ${ms(pct(v, 50))} p99 ${ms(pct(v, 99))} after the delivery was sent`);
    }
    const firstChecks = sent.flatMap((s, i) => (seen.get(i)?.firstCheck !== undefined ? [seen.get(i)!.firstCheck! - s.at] : []));
    console.log(
      `first check-run req  p50 ${ms(pct(firstChecks, 50))}  p99 ${ms(pct(firstChecks, 99))}  (${firstChecks.length} deliveries made one)`,
    );
    console.log(`installation tokens issued during the load: ${tokensIssued} (${INSTALLATIONS} installations, tokens fetched in warm-up)`);
    console.log(
      `requests not tied to one delivery (policy reads, permissions, dispatches): ${unattributed.requests} (${unattributed.writes} writes)`,
    );
    console.log(
      `workflow_job deliveries: ${Math.min(jobsSent, jobEvents.length)} first deliveries of the ${jobEvents.length} job events of ${JOB_RUNS} builds, ${Math.max(0, jobsSent - jobEvents.length)} redeliveries`,
    );
    const problems = [...new Set(world.github.problems)];
    if (problems.length)
      console.log(
        `requests GitHub would refuse or the world does not answer (${world.github.problems.length}): ${problems.slice(0, 5).join(" | ")}`,
      );
    const failures = countBy(sent.filter((s) => !ok.includes(s)).map((s) => s.error ?? `HTTP ${s.status}`));
    if (staleSocketRetries) console.log(`resent on a fresh socket (keep-alive race, counted in latency): ${staleSocketRetries}`);
    console.log(
      `errors               ${errors}${
        errors
          ? ` (${Object.entries(failures)
              .map(([k, v]) => `${k} x${v}`)
              .join(", ")})`
          : ""
      }`,
    );
    const driverCpu = process.cpuUsage(driverCpu0);
    console.log(
      `GitHub round trips   ${measured.roundTrips} as the App saw them: p50 ${ms(measured.roundTripP50)} p99 ${ms(measured.roundTripP99)}`,
    );
    console.log(
      `App CPU              ${((measured.cpuMs / 1000 / elapsed) * 100).toFixed(0)}% of a core; event-loop delay p99 ${ms(measured.loopP99)}, max ${ms(measured.loopMax)} ` +
        `(driver and fake GitHub: ${(((driverCpu.user + driverCpu.system) / 1e6 / elapsed) * 100).toFixed(0)}% of a core, event-loop delay p99 ${ms(driverLoop.percentile(99) / 1e6)})`,
    );
    console.log(`App RSS              after warm-up ${mb(rssAfterWarmup)}, peak ${mb(rssPeak)}, at the end ${mb(rssLast)}`);
    const p99 = pct(latencies, 99);
    let pass = errors === 0 && p99 < 50 && world.github.problems.length === 0;
    console.log(`goal (p99 < 50 ms, 0 errors, every request valid): ${pass ? "met" : "NOT met"}`);
    if (SOAK) {
      // Warm-up is the first fifth of the load (at least 30 s): the App's caches (tokens, limiter groups,
      // compiled code) fill there. Growth compares the median RSS of the run's last minute with the median of
      // the minute after warm-up, so a garbage-collection peak at either end does not decide it.
      const warmupEnd = Math.max(30, elapsed / 5);
      const window = (from: number, to: number) => rssDuringLoad.filter((r) => r.at >= from && r.at < to).map((r) => r.rss);
      const early = pct(window(warmupEnd, warmupEnd + 60), 50);
      const late = pct(window(elapsed - 60, elapsed + 1), 50);
      const growth = ((late - early) / early) * 100;
      console.log(
        `soak RSS             median ${mb(early)} in the minute after warm-up (${warmupEnd.toFixed(0)} s), ${mb(late)} in the last minute: growth ${growth.toFixed(1)}%`,
      );
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
