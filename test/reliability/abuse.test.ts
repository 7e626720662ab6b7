/**
 * Reliability, "webhook abuse": deliveries GitHub would never send, posted over HTTP to the App
 * running behind Probot's own server (as `npm start` runs it). Each case must be refused (a 4xx, recorded), reach
 * no handler (Probot saw no event, the fake GitHub no request, no check run exists), crash nothing and leave no
 * unhandled rejection; after each group one good signed delivery proves the server still works (it creates
 * `flibs/review`). Every group is counted in the reliability ledger.
 *
 * What @octokit/webhooks (under Probot 14) does, read from its middleware: a content type other than
 * application/json is 415; a missing `x-github-event`, `x-hub-signature-256` or `x-github-delivery` header is
 * 400 (so a sha1-only `x-hub-signature` is refused); the body is then read whole, its HMAC-SHA256 compared in
 * constant time (400 when it differs), and only then parsed (400 on invalid JSON). There is no body size limit:
 * an oversized body is buffered before its signature is checked, then refused like any other.
 */
import { createHmac, randomBytes } from "node:crypto";
import { request, type IncomingHttpHeaders } from "node:http";
import { readFileSync } from "node:fs";
import type { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { createFlibsApp } from "../../src/app/index.js";
import { freePort } from "../helpers/app-process.js";
import { examplePayload, signWebhook, startTestServer, TEST_WEBHOOK_SECRET, useFakeGitHub, type TestServer } from "../helpers/github.js";
import { failOnUnhandledRejections } from "../helpers/unhandled.js";
import { record } from "./ledger.js";

const AREA = "webhook abuse";
const REPO = "my-org/hello";
const CREATE = "POST /repos/{owner}/{repo}/check-runs";
const dockerfile = readFileSync(new URL("../fixtures/webhooks/good/Dockerfile", import.meta.url), "utf8");

const github = useFakeGitHub();

let server: TestServer;
let flibs: ReturnType<typeof createFlibsApp>;
/** Events Probot verified and handed to the App (any event, any action): the abuse must add none. */
let received = 0;
const { seen: escaped } = failOnUnhandledRejections({ uncaught: true });

beforeEach(async () => {
  received = 0;
  github.repoFiles(REPO, { Dockerfile: dockerfile }).repoFiles("my-org/.github", {});
  github.acceptCheckRuns();
  // The response waits for the App's work (a long budget), so what a delivery did is known when it is answered.
  flibs = createFlibsApp({ deliveryBudgetMs: 20_000 });
  const appFn = (probot: Probot, options?: Parameters<typeof flibs.app>[1]) => {
    probot.onAny(() => {
      received++;
    });
    flibs.app(probot, options);
  };
  server = await startTestServer({ port: await freePort(), appFn });
});

afterEach(async () => {
  await server.stop();
});

// ---- raw HTTP ----------------------------------------------------------------------------------------------

interface Post {
  method?: string;
  path?: string;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** Sends exactly these headers and bytes (no client-added content type), on a fresh connection. */
async function post(p: Post): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  const url = new URL(p.path ?? "/api/github/webhooks", server.url);
  const body = typeof p.body === "string" ? Buffer.from(p.body) : p.body;
  return await new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: p.method ?? "POST", agent: false, headers: { ...p.headers, "content-length": String(body.length) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Headers GitHub sends with a delivery of `body`, signed with `secret` unless told otherwise. */
function headersFor(
  event: string,
  body: string | Buffer,
  o: { secret?: string; signature?: string | null; id?: string } = {},
): Record<string, string> {
  const h: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "GitHub-Hookshot/test",
    "x-github-event": event,
    "x-github-delivery": o.id ?? crypto.randomUUID(),
  };
  const sig = o.signature === undefined ? signBytes(o.secret ?? TEST_WEBHOOK_SECRET, body) : o.signature;
  if (sig !== null) h["x-hub-signature-256"] = sig;
  return h;
}

function signBytes(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

// ---- what every case must hold -----------------------------------------------------------------------------

interface Outcome {
  label: string;
  /** The HTTP status, or "no answer" when the client itself cut the request. */
  status: number | "no answer";
  problems: string[];
}

const snapshot = () => ({ received, requests: github.requests.length, checkRuns: github.checkRuns.length });

/** Runs one abusive request and checks what must hold: a 4xx (unless `expectStatus` says otherwise), nothing handled. */
async function attempt(
  label: string,
  send: () => Promise<number | "no answer">,
  expectStatus: (s: number | "no answer") => boolean = is4xx,
): Promise<Outcome> {
  const before = snapshot();
  let status: number | "no answer";
  const problems: string[] = [];
  try {
    status = await send();
  } catch (e) {
    status = "no answer";
    problems.push(`the request failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  const after = snapshot();
  if (!expectStatus(status)) problems.push(`answered ${status}`);
  if (after.received !== before.received) problems.push("Probot handed the event to the App");
  if (after.requests !== before.requests) problems.push(`${after.requests - before.requests} request(s) reached GitHub`);
  if (after.checkRuns !== before.checkRuns) problems.push("a check run was created");
  return { label, status, problems };
}

const is4xx = (s: number | "no answer") => typeof s === "number" && s >= 400 && s < 500;

/** One good signed delivery must still be answered and create `flibs/review`: the server lives. */
async function alive(): Promise<string[]> {
  const sha = randomBytes(20).toString("hex");
  const before = github.calls(CREATE).length;
  const handedBefore = received;
  const res = await server.deliver("pull_request", examplePayload("pull_request", "opened", { repo: REPO, headSha: sha }));
  await flibs.deliveries.idle();
  const created = github.calls(CREATE).slice(before);
  const problems: string[] = [];
  if (res.status !== 200) problems.push(`the good delivery after the group was answered ${res.status}`);
  // The counter every case relies on ("no handler ran") does count a delivery that is handled.
  if (received !== handedBefore + 1) problems.push(`the good delivery was handed to the App ${received - handedBefore} times`);
  if (created.length !== 1 || (created[0]!.body as { name?: string; head_sha?: string }).head_sha !== sha)
    problems.push("the good delivery after the group created no flibs/review check");
  if (!github.checkRuns.some((c) => c.head_sha === sha && c.name === "flibs/review"))
    problems.push("flibs/review is missing for the good delivery");
  return problems;
}

/**
 * Runs a group of cases (sequentially: the machine is small), proves liveness, records the group in the ledger
 * (a case is lost when it broke a guarantee, or when the server was dead after it) and asserts nothing was lost.
 */
async function group(
  what: string,
  cases: Array<{ label: string; send: () => Promise<number | "no answer"> }>,
  expectStatus?: (s: number | "no answer") => boolean,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const c of cases) outcomes.push(await attempt(c.label, c.send, expectStatus));
  const done = snapshot();
  // Give anything a refused delivery might have started in the background a moment to show itself.
  await new Promise((r) => setTimeout(r, 50));
  await flibs.deliveries.idle();
  const late = snapshot();
  const liveness = await alive();
  const crashed = escaped.map((e) => `escaped: ${e instanceof Error ? e.message : String(e)}`);
  const lost = outcomes.filter((o) => o.problems.length > 0);
  // A dead server after the group, or an escaped error, loses every case of the group: none of them is proven.
  const groupProblems = [...liveness, ...crashed];
  if (late.received !== done.received || late.requests !== done.requests || late.checkRuns !== done.checkRuns)
    groupProblems.push("work started after the refusal");
  const statuses = [...new Set(outcomes.map((o) => o.status))].sort().join("/");
  const lostCount = groupProblems.length > 0 ? outcomes.length : lost.length;
  record({ area: AREA, what: `${what} -> ${statuses}`, tried: outcomes.length, held: outcomes.length - lostCount, lost: lostCount });
  expect(groupProblems, `${what}: after the group`).toEqual([]);
  expect(
    lost.map((o) => `${o.label}: ${o.problems.join("; ")}`),
    what,
  ).toEqual([]);
  return outcomes;
}

// ---- the deliveries to abuse -------------------------------------------------------------------------------

/** Real payloads of the events the App acts on (and some it ignores), as GitHub would send them. */
const EVENTS: Array<[string, string | undefined]> = [
  ["pull_request", "opened"],
  ["pull_request", "synchronize"],
  ["pull_request", "reopened"],
  ["issue_comment", "created"],
  ["check_run", "rerequested"],
  ["workflow_job", "queued"],
  ["workflow_job", "completed"],
  ["workflow_run", "completed"],
  ["push", undefined],
  ["installation", "created"],
  ["ping", undefined],
  ["release", "published"],
];

function bodies(): Array<{ event: string; body: string }> {
  return EVENTS.map(([event, action]) => {
    const p = examplePayload(event, action, { repo: REPO, headSha: "a".repeat(40) });
    if (event === "issue_comment") {
      p.comment.body = "/build";
      p.issue.pull_request = { url: `https://api.github.com/repos/${REPO}/pulls/1` };
    }
    return { event, body: JSON.stringify(p) };
  });
}

const prBody = () => JSON.stringify(examplePayload("pull_request", "opened", { repo: REPO, headSha: "b".repeat(40) }));

function flipByte(body: string, at: number): Buffer {
  const b = Buffer.from(body);
  b[at] = b[at]! ^ 0x01;
  return b;
}

describe("webhook abuse against the running server", () => {
  test("no signature header: refused before the body is trusted", async () => {
    await group(
      "no x-hub-signature-256 header",
      bodies().flatMap(({ event, body }) => [
        {
          label: `${event} without signature`,
          send: async () => (await post({ headers: headersFor(event, body, { signature: null }), body })).status,
        },
        // An empty header is a header: it must fail verification instead.
        {
          label: `${event} with an empty signature`,
          send: async () => (await post({ headers: headersFor(event, body, { signature: "" }), body })).status,
        },
      ]),
    );
  });

  test("wrong signatures: random, truncated, extended, wrong prefix, wrong encoding", async () => {
    const body = prBody();
    const good = signBytes(TEST_WEBHOOK_SECRET, body);
    const hex = good.slice("sha256=".length);
    const variants: Array<[string, string]> = [
      ...Array.from({ length: 20 }, (_, i) => [`random #${i}`, `sha256=${randomBytes(32).toString("hex")}`] as [string, string]),
      ["zeros", `sha256=${"0".repeat(64)}`],
      ["one hex digit off", `sha256=${hex.slice(0, -1)}${hex.endsWith("0") ? "1" : "0"}`],
      ["first hex digit off", `sha256=${hex.startsWith("f") ? "e" : "f"}${hex.slice(1)}`],
      ["truncated by one", good.slice(0, -1)],
      ["half", good.slice(0, 7 + 32)],
      ["extended by one", `${good}0`],
      ["doubled", `${good}${hex}`],
      ["no prefix", hex],
      ["sha1= prefix on the sha256 hex", `sha1=${hex}`],
      ["sha512= prefix", `sha512=${hex}`],
      ["SHA256= prefix", `SHA256=${hex}`],
      ["base64 instead of hex", `sha256=${Buffer.from(hex, "hex").toString("base64")}`],
      ["two signatures", `${good}, ${good}`],
      ["prefix only", "sha256="],
      ["HMAC-SHA1 in the sha256 header", `sha256=${createHmac("sha1", TEST_WEBHOOK_SECRET).update(body).digest("hex")}`],
      ["unkeyed sha256 of the body", `sha256=${createHmac("sha256", "").update(body).digest("hex")}`],
      ["HMAC of the secret instead of the body", signBytes(TEST_WEBHOOK_SECRET, TEST_WEBHOOK_SECRET)],
    ];
    await group(
      "wrong signature",
      variants.map(([label, sig]) => ({
        label,
        send: async () => (await post({ headers: headersFor("pull_request", body, { signature: sig }), body })).status,
      })),
    );
  });

  test("sha1-only signatures (x-hub-signature), correct for the body, are refused", async () => {
    await group(
      "sha1-only signature",
      bodies().map(({ event, body }) => ({
        label: event,
        send: async () => {
          const h = headersFor(event, body, { signature: null });
          h["x-hub-signature"] = `sha1=${createHmac("sha1", TEST_WEBHOOK_SECRET).update(body).digest("hex")}`;
          return (await post({ headers: h, body })).status;
        },
      })),
    );
  });

  test("replays: a signature made for another body, and bodies changed after signing", async () => {
    const all = bodies();
    const original = prBody();
    const sig = signBytes(TEST_WEBHOOK_SECRET, original);
    const positions = Array.from({ length: 32 }, (_, i) => Math.floor((i * (original.length - 1)) / 31));
    const edited = (edit: (p: any) => void) => {
      const p = JSON.parse(original);
      edit(p);
      return JSON.stringify(p);
    };
    const cases: Array<{ label: string; body: string | Buffer; event: string; signature: string }> = [
      // Another event's signature (a captured delivery) on this body, and this body's signature on other events.
      ...all.map(({ event, body }) => ({
        label: `${event}'s signature on a pull_request body`,
        body: original,
        event: "pull_request",
        signature: signBytes(TEST_WEBHOOK_SECRET, body),
      })),
      ...all
        .filter((b) => b.body !== original)
        .map(({ event, body }) => ({ label: `pull_request's signature on a ${event} body`, body, event, signature: sig })),
      ...positions.map((at) => ({ label: `byte ${at} flipped`, body: flipByte(original, at), event: "pull_request", signature: sig })),
      { label: "trailing newline added", body: `${original}\n`, event: "pull_request", signature: sig },
      { label: "leading space added", body: ` ${original}`, event: "pull_request", signature: sig },
      {
        label: "re-serialised with indentation",
        body: JSON.stringify(JSON.parse(original), null, 2),
        event: "pull_request",
        signature: sig,
      },
      { label: "head SHA swapped", body: edited((p) => (p.pull_request.head.sha = "c".repeat(40))), event: "pull_request", signature: sig },
      { label: "action swapped", body: edited((p) => (p.action = "synchronize")), event: "pull_request", signature: sig },
      { label: "installation swapped", body: edited((p) => (p.installation.id = 2)), event: "pull_request", signature: sig },
      { label: "key appended", body: edited((p) => (p.extra = true)), event: "pull_request", signature: sig },
      { label: "body truncated", body: original.slice(0, -10), event: "pull_request", signature: sig },
      { label: "body doubled", body: `${original}${original}`, event: "pull_request", signature: sig },
    ];
    await group(
      "replayed body / signature for another body",
      cases.map((c) => ({
        label: c.label,
        send: async () => (await post({ headers: headersFor(c.event, c.body, { signature: c.signature }), body: c.body })).status,
      })),
    );
  });

  test("valid signatures made with the wrong secret", async () => {
    const body = prBody();
    const secrets = [
      "development", // Probot's default webhook secret
      "",
      "wrong-secret",
      `${TEST_WEBHOOK_SECRET}\n`,
      ` ${TEST_WEBHOOK_SECRET}`,
      TEST_WEBHOOK_SECRET.toUpperCase(),
      TEST_WEBHOOK_SECRET.slice(0, -1),
      `${TEST_WEBHOOK_SECRET}x`,
      TEST_WEBHOOK_SECRET.split("").reverse().join(""),
      Buffer.from(TEST_WEBHOOK_SECRET).toString("base64"),
      ...Array.from({ length: 14 }, () => randomBytes(20).toString("hex")),
    ];
    await group(
      "valid HMAC with the wrong secret",
      secrets.map((s, i) => ({
        label: `secret #${i} ${JSON.stringify(s.slice(0, 12))}`,
        send: async () => (await post({ headers: headersFor("pull_request", body, { secret: s }), body })).status,
      })),
    );
  });

  test("oversized bodies (no size limit exists: buffered, then refused on their signature)", async () => {
    const MB = 1024 * 1024;
    // A real payload padded to n bytes (a huge PR body), valid JSON.
    const big = (n: number) => {
      const p = examplePayload("pull_request", "opened", { repo: REPO, headSha: "d".repeat(40) });
      p.pull_request.body = "";
      const base = JSON.stringify(p).length;
      p.pull_request.body = "x".repeat(Math.max(0, n - base));
      return Buffer.from(JSON.stringify(p));
    };
    const sizes = [2 * MB, 4 * MB, 8 * MB, 12 * MB];
    const small = prBody();
    const cases = sizes.flatMap((n) => {
      const body = big(n);
      return [
        {
          label: `${n / MB} MB, no signature`,
          send: async () => (await post({ headers: headersFor("pull_request", body, { signature: null }), body })).status,
        },
        {
          label: `${n / MB} MB, the small body's signature`,
          send: async () =>
            (await post({ headers: headersFor("pull_request", body, { signature: signBytes(TEST_WEBHOOK_SECRET, small) }), body })).status,
        },
        {
          label: `${n / MB} MB, wrong secret`,
          send: async () => (await post({ headers: headersFor("pull_request", body, { secret: "wrong-secret" }), body })).status,
        },
        {
          label: `${n / MB} MB, one byte flipped after signing`,
          send: async () =>
            (
              await post({
                headers: headersFor("pull_request", body, { secret: TEST_WEBHOOK_SECRET }),
                body: flipByte(body.toString("latin1"), body.length - 3),
              })
            ).status,
        },
      ];
    });
    // Three at once, 8 MB each.
    cases.push({
      label: "3 x 8 MB at once, wrong secret",
      send: async () => {
        const body = big(8 * MB);
        const r = await Promise.all(
          [0, 1, 2].map(() => post({ headers: headersFor("pull_request", body, { secret: "wrong-secret" }), body })),
        );
        const bad = r.find((x) => x.status !== 400);
        return bad ? bad.status : 400;
      },
    });
    await group("oversized body (2-12 MB)", cases);
  }, 60_000);

  test("malformed JSON, signed correctly: 400, no handler", async () => {
    const good = prBody();
    const malformed = [
      good.slice(0, -1),
      good.slice(0, Math.floor(good.length / 2)),
      `${good}}`,
      `${good},`,
      good.replace(/"/g, "'"),
      good.replace(/:/, "::"),
      `{"action": "opened",}`,
      `{action: "opened"}`,
      `{"action": NaN}`,
      `{"action": undefined}`,
      "{",
      "}",
      "[",
      "not json",
      "\u0000",
      "\ufeff" + good,
      "<xml/>",
      "action=opened&number=1",
      `payload=${encodeURIComponent(good)}`, // GitHub's form encoding, sent as JSON
      Buffer.from([0xff, 0xfe, 0xfd]).toString("latin1"),
      `${good}\u0000`,
      `{"a":"\\x41"}`,
      `{"a":"\\u12"}`,
      `{"a":01}`,
      `{"a":.5}`,
      `{"a":+1}`,
      `{"a":1e}`,
      `{"a":[1,2,]}`,
      `{"a":"line\nbreak"}`,
      `{"a":tru}`,
      `/* comment */ ${good}`,
      `${"[".repeat(50_000)}${"]".repeat(49_999)}`,
    ];
    await group(
      "malformed JSON, signed correctly",
      malformed.map((body, i) => ({
        label: `#${i} ${JSON.stringify(body.slice(0, 24))}`,
        send: async () => (await post({ headers: headersFor("pull_request", body), body })).status,
      })),
    );
  });

  test("required headers missing or empty (event name, delivery id), signed correctly", async () => {
    const cases = bodies().flatMap(({ event, body }) => [
      {
        label: `${event}: no x-github-event`,
        send: async () => {
          const h = headersFor(event, body);
          delete h["x-github-event"];
          return (await post({ headers: h, body })).status;
        },
      },
      {
        label: `${event}: no x-github-delivery`,
        send: async () => {
          const h = headersFor(event, body);
          delete h["x-github-delivery"];
          return (await post({ headers: h, body })).status;
        },
      },
      {
        label: `${event}: no GitHub headers at all`,
        send: async () => (await post({ headers: { "content-type": "application/json" }, body })).status,
      },
    ]);
    await group("missing event-name / delivery headers", cases);
  });

  test("unknown event names: refused unsigned; signed ones reach no handler of the App", async () => {
    const body = prBody();
    const names = [
      "pull-request",
      "pull_requests",
      "PULL_REQUEST",
      "pull_request.opened",
      "__proto__",
      "constructor",
      "*",
      "error",
      "../pull_request",
      "pull_request\u0000",
      "x".repeat(2000),
      "rm -rf /",
      "$(id)",
      "<script>",
    ];
    const sendable = (n: string) => (!/[\u0000-\u001f]/.test(n) && !/[<>]/.test(n) ? n : encodeURIComponent(n));
    await group(
      "unknown event name, bad signature",
      names.map((n) => ({
        label: n.slice(0, 30),
        send: async () => (await post({ headers: headersFor(sendable(n), body, { secret: "wrong-secret" }), body })).status,
      })),
    );
  });

  test("unknown event names with a valid signature reach no handler of the App", async () => {
    // GitHub adds events: a signed delivery of an event the App does not know is not the App's to refuse, and
    // nothing of the App runs (Probot hands it on, so `received` may count it, but no request reaches GitHub).
    // The status is recorded, not required: names of Object.prototype's methods make @octokit/webhooks look up a
    // "hook" on its plain-object registry (`hasOwnProperty` is called as one and throws: a 500). A dotted name such
    // as `pull_request.opened` is not here: it is the key of the App's own hook, i.e. a real event under another
    // spelling, which only the secret's holder can sign.
    const body = prBody();
    const names = [
      "pull-request",
      "pull_requests",
      "PULL_REQUEST",
      "constructor",
      "toString",
      "hasOwnProperty",
      "__proto__",
      "valueOf",
      "../pull_request",
      "x".repeat(2000),
      "rm -rf /",
      "$(id)",
      "future_event",
      "ping2",
    ];
    const outcomes: Outcome[] = [];
    for (const n of names) {
      const before = snapshot();
      const status = (await post({ headers: headersFor(n, body), body })).status;
      await flibs.deliveries.idle();
      const after = snapshot();
      const problems: string[] = [];
      if (after.requests !== before.requests) problems.push("a request reached GitHub");
      if (after.checkRuns !== before.checkRuns) problems.push("a check run was created");
      outcomes.push({ label: n.slice(0, 30), status, problems });
    }
    const liveness = await alive();
    const crashed = [...escaped];
    const lost = outcomes.filter((o) => o.problems.length > 0).length;
    const lostCount = liveness.length || crashed.length ? outcomes.length : lost;
    const statuses = [...new Set(outcomes.map((o) => o.status))].sort().join("/");
    record({
      area: AREA,
      what: `unknown event name, valid signature (App does nothing) -> ${statuses}`,
      tried: outcomes.length,
      held: outcomes.length - lostCount,
      lost: lostCount,
    });
    expect(liveness).toEqual([]);
    expect(outcomes.filter((o) => o.problems.length).map((o) => `${o.label}: ${o.problems.join("; ")}`)).toEqual([]);
  });

  test("wrong content type, signed correctly: 415", async () => {
    const body = prBody();
    const types = [
      undefined,
      "",
      "text/plain",
      "text/plain; charset=utf-8",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/xml",
      "application/jsonp",
      "application/json-patch+json",
      "application/vnd.github+json",
      "json",
      "application/octet-stream",
      "text/json",
      "*/*",
    ];
    await group(
      "wrong content-type",
      types.map((t) => ({
        label: String(t),
        send: async () => {
          const h = headersFor("pull_request", body);
          if (t === undefined) delete h["content-type"];
          else h["content-type"] = t;
          return (await post({ headers: h, body })).status;
        },
      })),
    );
  });

  test("other methods on the webhook path, and deliveries to other paths", async () => {
    const body = prBody();
    const cases = [
      ...["GET", "PUT", "PATCH", "DELETE", "OPTIONS"].map((m) => ({
        label: m,
        send: async () => (await post({ method: m, headers: headersFor("pull_request", body), body })).status,
      })),
      ...["/api/github/webhook", "/api/github/webhooks/x", "/API/github/webhooks", "/", "/api/github/webhooks/../webhooks2"].map(
        (path) => ({
          label: path,
          send: async () => (await post({ path, headers: headersFor("pull_request", body), body })).status,
        }),
      ),
    ];
    await group("wrong method or path, signed correctly", cases);
  });

  test("bodies cut off mid-transfer by the client", async () => {
    const body = Buffer.from(prBody());
    const cut = (keep: number, declared: number) => async (): Promise<"no answer"> =>
      await new Promise((resolve) => {
        const req = request(new URL("/api/github/webhooks", server.url), {
          method: "POST",
          agent: false,
          headers: { ...headersFor("pull_request", body), "content-length": String(declared) },
        });
        req.on("error", () => resolve("no answer"));
        req.on("response", (res) => {
          res.resume();
          resolve("no answer");
        });
        req.write(body.subarray(0, keep), () => setTimeout(() => req.destroy(), 20));
      });
    const cases = [0, 1, 100, 1000, body.length - 1].flatMap((keep) => [
      { label: `${keep} of ${body.length} bytes`, send: cut(keep, body.length) },
      { label: `${keep} of 10 MB declared`, send: cut(keep, 10 * 1024 * 1024) },
    ]);
    await group("body cut off mid-transfer", cases, (s) => s === "no answer");
  });
});

// Keeps `signWebhook` (the helper's own signing) honest against ours: a mismatch would make every case above pass for the wrong reason.
test("the signatures sent here are the ones GitHub computes", () => {
  const body = prBody();
  expect(signBytes(TEST_WEBHOOK_SECRET, body)).toBe(signWebhook(TEST_WEBHOOK_SECRET, body));
});
