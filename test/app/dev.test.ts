import { createServer, type Server, type ServerResponse } from "node:http";
import { afterEach, describe, expect, test } from "vitest";
import { freePort, spawnApp, waitForHttp, type AppProcess } from "../helpers/app-process.js";
import { examplePayload, signWebhook, testPrivateKey } from "../helpers/github.js";

let app: AppProcess | undefined;
let channel: Server | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
  await new Promise((r) => (channel ? channel.close(r) : r(undefined)));
  channel?.closeAllConnections();
  channel = undefined;
});

/** A smee.io-style channel on loopback: an event stream whose messages are webhook deliveries. */
async function fakeChannel(): Promise<{ url: string; send(message: object): void; connected: Promise<void> }> {
  const port = await freePort();
  const streams: ServerResponse[] = [];
  let onConnect: () => void = () => {};
  const connected = new Promise<void>((r) => (onConnect = r));
  channel = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    res.write(": ready\n\n");
    streams.push(res);
    onConnect();
  });
  await new Promise<void>((r) => channel!.listen(port, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${port}/flibs-test`,
    send: (message) => streams.forEach((s) => s.write(`data: ${JSON.stringify(message)}\n\n`)),
    connected,
  };
}

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${app?.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("npm run dev (scripts/dev.js)", () => {
  test("forwards deliveries from the webhook proxy channel to the running App, which verifies them", async () => {
    const smee = await fakeChannel();
    const port = await freePort();
    const secret = "dev-test-secret";
    app = spawnApp(process.execPath, ["scripts/dev.js"], {
      WEBHOOK_PROXY_URL: smee.url,
      PORT: String(port),
      APP_ID: "12345",
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET: secret,
      NO_PROXY: "127.0.0.1,localhost",
      no_proxy: "127.0.0.1,localhost",
    });
    await smee.connected;
    await waitForHttp(`http://127.0.0.1:${port}/`, app);

    const payload = examplePayload("star", "created");
    const body = JSON.stringify(payload);
    const delivery = (id: string, signature: string) => ({
      "x-github-event": "star",
      "x-github-delivery": id,
      "x-hub-signature-256": signature,
      "content-type": "application/json",
      body: payload,
      query: {},
    });
    smee.send(delivery("good-delivery", signWebhook(secret, body)));
    smee.send(delivery("forged-delivery", signWebhook("not-the-secret", body)));

    await until(
      "both forwards",
      () => (app!.output().match(/smee: POST http:\/\/127\.0\.0\.1:\d+\/api\/github\/webhooks - \d+/g) ?? []).length >= 2,
    );
    const statuses = (app.output().match(/\/api\/github\/webhooks - (\d+)/g) ?? []).map((l) => l.split(" - ")[1]).sort();
    expect(statuses).toEqual(["200", "400"]);
  });

  test("fails at once with a clear message when the channel cannot be reached", async () => {
    const closed = await freePort();
    app = spawnApp(process.execPath, ["scripts/dev.js"], {
      WEBHOOK_PROXY_URL: `http://127.0.0.1:${closed}/nothing-here`,
      NO_PROXY: "127.0.0.1",
    });
    const code = await Promise.race([app.exited, new Promise((r) => setTimeout(() => r("still running"), 15_000))]);
    expect(code).toBe(1);
    expect(app.output()).toMatch(
      new RegExp(`flibs dev: cannot connect to the webhook proxy http://127\\.0\\.0\\.1:${closed}/nothing-here: .+`),
    );
  });

  test("explains what to do when WEBHOOK_PROXY_URL is not set", async () => {
    app = spawnApp(process.execPath, ["scripts/dev.js"], { WEBHOOK_PROXY_URL: "" });
    expect(await app.exited).toBe(2);
    expect(app.output()).toContain("flibs dev: WEBHOOK_PROXY_URL is not set");
  });
});
