/**
 * The App side of `npm run bench:webhooks`: flibs behind Probot's own HTTP server, as `npm start` runs it,
 * talking to the fake GitHub the driver started on loopback. Over IPC it reports its port, then its RSS every
 * 100 ms, and on "report" what it measured since the last one (CPU, event-loop delay, GitHub round trips).
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { pino } from "pino";
import { Probot, ProbotOctokit, Server } from "probot";
import { deliveryBudgetFrom } from "../src/app/deliveries.js";
import { createFlibsApp } from "../src/app/index.js";
import { testPrivateKey } from "../test/helpers/github-app.js";

const baseUrl = process.env.FAKE_GITHUB_URL;
const secret = process.env.WEBHOOK_SECRET;
const port = Number(process.env.PORT);
if (!baseUrl || !secret || !port || !process.send)
  throw new Error("bench/webhooks-app runs under bench/webhooks.ts (FAKE_GITHUB_URL, WEBHOOK_SECRET, PORT, IPC)");

/** How long each GitHub request takes as the App sees it (its own queueing included). */
let roundTrips: number[] = [];
const Timed = ProbotOctokit.plugin((octokit) => {
  octokit.hook.wrap("request", async (request, options) => {
    const t0 = performance.now();
    try {
      return await request(options);
    } finally {
      roundTrips.push(performance.now() - t0);
    }
  });
});

/**
 * BENCH_THROTTLE=off measures the App without Probot's write spacing (one write a second per installation, which
 * @octokit/plugin-throttling also applies to GraphQL queries): what flibs itself costs, not GitHub's rule.
 */
const Octokit =
  process.env.BENCH_THROTTLE === "off"
    ? Timed.defaults((instance: Record<string, any>) => ({ ...instance, throttle: { ...instance.throttle, enabled: false } }))
    : Timed;

const log = pino({ level: process.env.LOG_LEVEL ?? "warn" }, pino.destination(2));
const server = new Server({
  Probot: Probot.defaults({ appId: 12345, privateKey: testPrivateKey(), secret, baseUrl, log, Octokit }),
  host: "127.0.0.1",
  port,
  log,
});
// As `npm start` runs it (FLIBS_DELIVERY_BUDGET_MS honoured), keeping a handle on the work in flight.
const flibs = createFlibsApp({ deliveryBudgetMs: deliveryBudgetFrom(process.env.FLIBS_DELIVERY_BUDGET_MS) });
await server.load(flibs.app);
await server.start();
process.send({ ready: server.port });

const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
let cpu = process.cpuUsage();
const timer = setInterval(() => {
  // The callback takes a send that lost the race with the driver's disconnect (EPIPE) instead of an 'error' event.
  if (process.connected)
    process.send?.({ rss: process.memoryUsage.rss(), running: flibs.deliveries.running }, undefined, undefined, () => undefined);
}, 100);
process.on("message", (msg) => {
  if (msg !== "report") return;
  const used = process.cpuUsage(cpu);
  const rt = roundTrips.sort((a, b) => a - b);
  const at = (p: number) => (rt.length ? rt[Math.min(rt.length - 1, Math.ceil(p * rt.length) - 1)] : NaN);
  process.send?.({
    report: {
      cpuMs: (used.user + used.system) / 1000,
      loopP99: loop.percentile(99) / 1e6,
      loopMax: loop.max / 1e6,
      roundTrips: rt.length,
      roundTripP50: at(0.5),
      roundTripP99: at(0.99),
    },
  });
  cpu = process.cpuUsage();
  loop.reset();
  roundTrips = [];
});
process.on("disconnect", () => {
  clearInterval(timer);
  void server.stop().finally(() => process.exit(0));
});
