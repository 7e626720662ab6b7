/**
 * A fault-injecting HTTP proxy for registry tests: it sits on a free 127.0.0.1 port in front of a real
 * registry, forwards every request as it is (Host kept, so the registry's upload Locations point back at
 * the proxy) and, per request, a rule list decides whether to break it instead.
 *
 * A rule matches by method, a regular expression on the path (with query) and the nth occurrence among
 * the requests it matched; the first rule whose occurrence is due applies its fault (a rule's fault may
 * also be a function choosing one per request, e.g. a seeded random mix). Faults:
 *
 * - `status`: answer 500/503/429/404... (optionally `Retry-After`), before forwarding or after the
 *   registry acted (its answer replaced)
 * - `reset`: reset the connection (RST) before any answer, before forwarding (optionally after reading N
 *   bytes of the request body) or after the registry acted
 * - `reset-mid-body`: forward, send the headers and N bytes of the body, then reset
 * - `truncate`: forward, send the declared Content-Length and only N bytes, then close cleanly (FIN)
 * - `delay`: hold the answer's headers back for a while (before forwarding or after the registry acted)
 * - `trickle`: send the body in small chunks with pauses
 * - `wrong-body`: serve other bytes than the registry's (the same length with a byte flipped, or what
 *   `replace` makes of the whole body), status and headers as the registry sent them unless `status` and
 *   `headers` override them (a HEAD that says a tag exists and names another digest)
 * - `stall`: never answer (or stop after N body bytes) and keep the connection open
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

export type Fault =
  | { kind: "status"; status: number; retryAfterSeconds?: number; afterForward?: boolean }
  | { kind: "reset"; afterForward?: boolean; afterRequestBytes?: number }
  | { kind: "reset-mid-body"; afterBytes: number }
  | { kind: "truncate"; afterBytes: number }
  | { kind: "delay"; ms: number; afterForward?: boolean }
  | { kind: "trickle"; chunkBytes: number; intervalMs: number }
  | { kind: "wrong-body"; replace?: (body: Buffer) => Buffer; headers?: Record<string, string>; status?: number }
  | { kind: "stall"; afterBytes?: number };

export interface FaultRule {
  /** Exact method (`GET`, `HEAD`, `PUT`...); any when absent. */
  method?: string;
  /** Tested against the request's path with its query (`/v2/repo/blobs/sha256:...`). */
  path: RegExp;
  /** Which matching requests (1-based) get the fault: one, several, or `every` one. Default 1. */
  nth?: number | number[] | "every";
  /** The fault, or a choice per due request (undefined: pass it through), e.g. a seeded random one. */
  fault: Fault | ((request: { method: string; path: string; seen: number }) => Fault | undefined);
}

export interface ProxyLogEntry {
  method: string;
  path: string;
  /** The fault applied, when one was. */
  fault?: Fault["kind"];
}

export interface FaultProxy {
  /** `127.0.0.1:PORT`: use it as the registry part of references. */
  host: string;
  url: string;
  /** Replaces the rules (and their occurrence counters). */
  setRules(rules: FaultRule[]): void;
  /** Every request seen, in arrival order. */
  readonly log: ProxyLogEntry[];
  /** How many faults were applied since the last `setRules`. */
  injected(): number;
  /** The requests in flight now (`METHOD path [fault]`). */
  pending(): string[];
  /** Resolves when no request is in flight (or after `maxMs`); true when it went idle. */
  idle(maxMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Starts a proxy in front of `backendUrl` (`http://127.0.0.1:PORT`). */
export async function startFaultProxy(backendUrl: string, rules: FaultRule[] = []): Promise<FaultProxy> {
  const backend = new URL(backendUrl);
  let current: Array<{ rule: FaultRule; seen: number }> = [];
  let injected = 0;
  const inFlight = new Set<string>();
  let requestNo = 0;
  const log: ProxyLogEntry[] = [];
  const sockets = new Set<Socket>();
  const upstreams = new Set<ReturnType<typeof httpRequest>>();
  let closing = false;

  const setRules = (next: FaultRule[]): void => {
    current = next.map((rule) => ({ rule, seen: 0 }));
    injected = 0;
  };
  setRules(rules);

  const choose = (method: string, path: string): Fault | undefined => {
    let chosen: Fault | undefined;
    for (const r of current) {
      if ((r.rule.method && r.rule.method !== method) || !r.rule.path.test(path)) continue;
      r.seen++;
      const nth = r.rule.nth ?? 1;
      const due = nth === "every" || (Array.isArray(nth) ? nth.includes(r.seen) : nth === r.seen);
      if (due && !chosen) chosen = typeof r.rule.fault === "function" ? r.rule.fault({ method, path, seen: r.seen }) : r.rule.fault;
    }
    return chosen;
  };

  /** Forwards the request; resolves with the registry's answer (its body unread). */
  const forward = (req: IncomingMessage, path: string): Promise<IncomingMessage> =>
    new Promise((resolve, reject) => {
      const up = httpRequest({ host: backend.hostname, port: backend.port, method: req.method, path, headers: req.headers }, (upRes) => {
        upstreams.delete(up);
        resolve(upRes);
      });
      upstreams.add(up);
      up.on("error", (e) => {
        upstreams.delete(up);
        reject(e);
      });
      up.on("close", () => upstreams.delete(up));
      req.pipe(up);
    });

  const reset = (res: ServerResponse): void => {
    const s = res.socket;
    if (s && !s.destroyed) s.resetAndDestroy();
  };

  const drain = async (upRes: IncomingMessage): Promise<void> => {
    upRes.resume();
    await new Promise<void>((r) => {
      upRes.once("end", r);
      upRes.once("close", r);
    });
  };

  /** Writes `body` chunk by chunk; `onChunk` may stop early (returns false). */
  const writeAll = async (
    res: ServerResponse,
    body: AsyncIterable<Buffer>,
    step?: (sent: number, chunk: Buffer) => Promise<Buffer | "stop">,
  ): Promise<"done" | "stopped"> => {
    let sent = 0;
    for await (const raw of body) {
      let chunk = raw;
      if (step) {
        const r = await step(sent, chunk);
        if (r === "stop") return "stopped";
        chunk = r;
      }
      sent += chunk.length;
      if (res.destroyed) return "stopped";
      if (!res.write(chunk)) await new Promise<void>((r) => res.once("drain", r).once("close", r));
    }
    return "done";
  };

  const copyHead = (res: ServerResponse, upRes: IncomingMessage, override: Record<string, string> = {}, status?: number): void => {
    const headers = { ...upRes.headers, ...override };
    res.writeHead(status ?? upRes.statusCode ?? 502, headers);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? "GET";
    const path = req.url ?? "/";
    const fault = choose(method, path);
    log.push(fault ? { method, path, fault: fault.kind } : { method, path });
    if (fault) injected++;
    if (!fault) {
      const upRes = await forward(req, path);
      copyHead(res, upRes);
      upRes.pipe(res);
      await new Promise<void>((r) => res.once("close", r));
      return;
    }
    switch (fault.kind) {
      case "status": {
        if (fault.afterForward) await drain(await forward(req, path));
        else req.resume();
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (fault.retryAfterSeconds !== undefined) headers["retry-after"] = String(fault.retryAfterSeconds);
        const body = JSON.stringify({ errors: [{ code: "UNAVAILABLE", message: `injected ${fault.status}` }] });
        res
          .writeHead(fault.status, { ...headers, "content-length": String(Buffer.byteLength(body)) })
          .end(method === "HEAD" ? undefined : body);
        return;
      }
      case "reset": {
        if (fault.afterForward) {
          await drain(await forward(req, path));
        } else if (fault.afterRequestBytes) {
          let got = 0;
          await new Promise<void>((r) => {
            req.on("data", (c: Buffer) => {
              got += c.length;
              if (got >= fault.afterRequestBytes!) r();
            });
            req.once("end", r);
            req.once("close", r);
          });
        }
        reset(res);
        return;
      }
      case "delay": {
        if (!fault.afterForward) await sleep(fault.ms);
        const upRes = await forward(req, path);
        if (fault.afterForward) await sleep(fault.ms);
        copyHead(res, upRes);
        upRes.pipe(res);
        await new Promise<void>((r) => res.once("close", r));
        return;
      }
      case "stall": {
        if (fault.afterBytes === undefined) {
          req.resume();
          await new Promise<void>((r) => res.once("close", r));
          return;
        }
        const upRes = await forward(req, path);
        copyHead(res, upRes);
        const limit = fault.afterBytes;
        await writeAll(res, upRes, async (sent, chunk) => (sent >= limit ? "stop" : chunk.subarray(0, limit - sent)));
        upRes.destroy();
        await new Promise<void>((r) => res.once("close", r));
        return;
      }
      case "reset-mid-body":
      case "truncate": {
        const upRes = await forward(req, path);
        copyHead(res, upRes);
        const limit = fault.afterBytes;
        await writeAll(res, upRes, async (sent, chunk) => (sent >= limit ? "stop" : chunk.subarray(0, limit - sent)));
        upRes.destroy();
        if (fault.kind === "truncate") {
          // Flush what was written, then a clean close: the answer is short of its Content-Length.
          await new Promise<void>((r) => res.write("", () => r()));
          res.socket?.end();
        } else {
          await new Promise<void>((r) => res.write("", () => r()));
          reset(res);
        }
        return;
      }
      case "trickle": {
        const upRes = await forward(req, path);
        copyHead(res, upRes);
        const pieces = async function* (): AsyncGenerator<Buffer> {
          for await (const c of upRes as AsyncIterable<Buffer>) {
            for (let i = 0; i < c.length; i += fault.chunkBytes) yield c.subarray(i, i + fault.chunkBytes);
          }
        };
        await writeAll(res, pieces(), async (_sent, chunk) => {
          await sleep(fault.intervalMs);
          return chunk;
        });
        res.end();
        return;
      }
      case "wrong-body": {
        const upRes = await forward(req, path);
        if (fault.replace) {
          const chunks: Buffer[] = [];
          for await (const c of upRes as AsyncIterable<Buffer>) chunks.push(c);
          const body = fault.replace(Buffer.concat(chunks));
          copyHead(res, upRes, { ...fault.headers, "content-length": String(body.length) }, fault.status);
          res.end(body);
          return;
        }
        copyHead(res, upRes, fault.headers, fault.status);
        let flipped = false;
        await writeAll(res, upRes, async (_sent, chunk) => {
          if (flipped || chunk.length === 0) return chunk;
          flipped = true;
          const copy = Buffer.from(chunk);
          copy[0] = copy[0]! ^ 0xff;
          return copy;
        });
        res.end();
        return;
      }
    }
  };

  const server: Server = createServer((req, res) => {
    const id = `${++requestNo} ${req.method} ${(req.url ?? "").replace(/\?.*/, "")}`;
    inFlight.add(id);
    const finish = (): void => {
      inFlight.delete(id);
    };
    res.once("close", finish);
    // A request that came on a connection this proxy had already closed (a keep-alive reuse race) never
    // gets a response "close": the connection's end is its end.
    req.socket.once("close", finish);
    handle(req, res)
      .catch(() => {
        // The registry went away or the client hung up: end this exchange without an answer.
        if (!res.headersSent && !res.destroyed) res.writeHead(502).end();
        else res.destroy();
      })
      .finally(finish);
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
    if (closing) s.destroy();
  });
  server.on("clientError", (_e, s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;

  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    setRules,
    log,
    injected: () => injected,
    pending: () => [...inFlight],
    async idle(maxMs = 5000) {
      const until = Date.now() + maxMs;
      while (inFlight.size > 0) {
        if (Date.now() > until) return false;
        await sleep(10);
      }
      return true;
    },
    async close() {
      closing = true;
      for (const u of upstreams) u.destroy();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
