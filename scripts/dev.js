#!/usr/bin/env node
// `npm run dev`: forwards GitHub's webhooks from a smee.io channel (WEBHOOK_PROXY_URL) to the local App, then
// runs the App (`probot run ./dist/app/index.js`). Fails with one clear line when the channel is unset or
// unreachable, instead of waiting forever.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SmeeClient } from "smee-client";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
if (existsSync(join(process.cwd(), ".env"))) process.loadEnvFile(join(process.cwd(), ".env"));

const source = process.env.WEBHOOK_PROXY_URL;
const port = Number(process.env.PORT) || 3000;
const path = process.env.WEBHOOK_PATH || "/api/github/webhooks";
const timeoutMs = Number(process.env.WEBHOOK_PROXY_TIMEOUT_MS) || 15_000;

function fail(message, code = 1) {
  process.stderr.write(`flibs dev: ${message}\n`);
  process.exit(code);
}

if (!source) {
  fail(
    "WEBHOOK_PROXY_URL is not set. Create a channel at https://smee.io/new, set it in .env (or the environment) " +
      "and as the App's webhook URL, then run `npm run dev` again. To register a new App, run `npm start` first.",
    2,
  );
}
if (!existsSync(join(root, "dist/app/index.js"))) fail("dist/app/index.js is missing: run `npm run build` first.", 2);

const quiet = { info: () => {}, error: () => {}, warn: () => {}, log: () => {} };
let connected = false;
const smee = new SmeeClient({
  source,
  target: `http://127.0.0.1:${port}${path}`,
  maxConnectionTimeout: timeoutMs,
  logger: {
    ...quiet,
    info: (message) => process.stdout.write(`smee: ${message}\n`),
    // Before the connection is up, errors are reported once by the failed start below.
    error: (...args) => connected && process.stderr.write(`smee: ${args.map(String).join(" ")}\n`),
  },
});

try {
  await smee.start();
  connected = true;
} catch (e) {
  await smee.stop().catch(() => {});
  const reason = e instanceof Error ? e.message : (e?.message ?? e?.type ?? String(e));
  fail(`cannot connect to the webhook proxy ${source}: ${reason}. Check the URL and your network.`);
}

// Probot would start its own smee client when it sees WEBHOOK_PROXY_URL; this one already forwards.
const env = { ...process.env, PORT: String(port) };
delete env.WEBHOOK_PROXY_URL;
// `probot/bin/probot.js` is not in probot's exports map; find it next to the package's entry point.
const probot = join(dirname(createRequire(import.meta.url).resolve("probot")), "..", "bin", "probot.js");
const child = spawn(process.execPath, [probot, "run", join(root, "dist/app/index.js")], { env, stdio: "inherit" });

let stopping = false;
const stop = (signal) => {
  if (stopping) return;
  stopping = true;
  child.kill(signal);
};
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
child.on("exit", async (code, signal) => {
  await smee.stop().catch(() => {});
  process.exit(code ?? (signal ? 0 : 1));
});
