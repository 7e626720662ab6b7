import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { deliveryBudgetFrom } from "../../src/app/deliveries.js";
import { createFlibsApp } from "../../src/app/index.js";
import { freePort } from "../helpers/app-process.js";
import { examplePayload, serverError, signWebhook, startTestServer, useFakeGitHub, type TestServer } from "../helpers/github.js";
import { failOnUnhandledRejections } from "../helpers/unhandled.js";

const github = useFakeGitHub();
const CREATE = "POST /repos/{owner}/{repo}/check-runs";
const dockerfile = readFileSync(new URL("../fixtures/webhooks/good/Dockerfile", import.meta.url), "utf8");
const payload = () => examplePayload("pull_request", "opened", { repo: "my-org/hello", installationId: 77, headSha: "d".repeat(40) });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: TestServer | undefined;
failOnUnhandledRejections();
beforeEach(() => {
  github.repoFiles("my-org/hello", { Dockerfile: dockerfile }).repoFiles("my-org/.github", {});
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe("the App behind Probot's HTTP server", () => {
  test("a signed delivery is answered 200 after the review check is published", async () => {
    github.acceptCheckRuns();
    server = await startTestServer({ port: await freePort() });
    const res = await server.deliver("pull_request", payload());
    expect(res.status).toBe(200);
    expect(github.calls(CREATE)).toHaveLength(1);
    expect(github.calls(CREATE)[0]!.installationId).toBe(77);
  });

  test("a delivery with a forged signature is refused and reaches nothing", async () => {
    github.acceptCheckRuns();
    server = await startTestServer({ port: await freePort() });
    const body = JSON.stringify(payload());
    const res = await server.deliver("pull_request", payload(), { signature: signWebhook("wrong-secret", body) });
    expect(res.status).toBe(400);
    expect(github.requests).toEqual([]);
  });

  test("by default (budget 0) the delivery is answered at once and its work finishes after", async () => {
    const flibs = createFlibsApp();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    github.on(CREATE, async (req) => {
      await gate;
      return { status: 201, body: { id: 6, ...(req.body as object) } };
    });
    server = await startTestServer({ port: await freePort(), appFn: flibs.app });
    const res = await server.deliver("pull_request", payload());
    expect(res.status).toBe(200);
    // Answered while the check-run request is still held by the fake: the response did not wait for it.
    expect(flibs.deliveries.running).toBe(1);
    release();
    await flibs.deliveries.idle();
    expect(github.calls(CREATE)).toHaveLength(1);
    expect(server.logs.filter((l) => l.level === "warn" || l.level === "error")).toEqual([]);
  });

  test("FLIBS_DELIVERY_BUDGET_MS is read as whole milliseconds up to 9000, anything else is a clear error", () => {
    expect(deliveryBudgetFrom(undefined)).toBe(0);
    expect(deliveryBudgetFrom("")).toBe(0);
    expect(deliveryBudgetFrom("2500")).toBe(2500);
    for (const bad of ["-1", "1.5", "ten", "10000"])
      expect(() => deliveryBudgetFrom(bad)).toThrow(/FLIBS_DELIVERY_BUDGET_MS must be a whole number of milliseconds/);
  });

  test("work stuck behind GitHub is finished in the background after the delivery budget", async () => {
    const flibs = createFlibsApp({ deliveryBudgetMs: 150 });
    github.on(CREATE, async (req) => {
      await sleep(700);
      return { status: 201, body: { id: 5, ...(req.body as object) } };
    });
    server = await startTestServer({ port: await freePort(), appFn: flibs.app });
    const t = performance.now();
    const res = await server.deliver("pull_request", payload());
    const answeredIn = performance.now() - t;
    expect(res.status).toBe(200);
    expect(answeredIn).toBeLessThan(600);
    expect(flibs.deliveries.running).toBe(1);
    await flibs.deliveries.idle();
    expect(github.calls(CREATE)).toHaveLength(1);
    expect(server.logs.some((l) => l.level === "warn" && l.msg.includes("still running after 150 ms"))).toBe(true);
  });

  test("a failure after the budget is logged, not an unhandled rejection", async () => {
    const flibs = createFlibsApp({ deliveryBudgetMs: 100 });
    github.on(CREATE, async () => {
      await sleep(400);
      return serverError(502);
    });
    server = await startTestServer({ port: await freePort(), appFn: flibs.app });
    expect((await server.deliver("pull_request", payload())).status).toBe(200);
    await flibs.deliveries.idle();
    await sleep(20);
    expect(server.logs.some((l) => l.level === "error" && l.msg.startsWith("flibs/review failed in the background"))).toBe(true);
  });
});
