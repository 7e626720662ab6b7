import { homedir } from "node:os";
import { describeError, FlibsError, isFlibsError } from "../core/errors.js";
import { parseLayoutReference } from "../core/oci/layout.js";
import { parseReference, parseRepository, type ImageReference } from "../core/oci/reference.js";
import { describePromotion, formatBytes } from "../core/promote/report.js";
import { planTags } from "../core/promote/tags.js";
import { credentialFilePaths, loadCredentials } from "../registry/credentials.js";
import { RegistryClient } from "../registry/client.js";
import { promote, type PromoteEvent, type PromoteOptions } from "../registry/promote.js";
import type { CliIo } from "./io.js";
import { openLayoutReference, type OpenedLayout } from "./layout-source.js";
import { formatTable } from "./output/table.js";
import { createProgress, outputMode, type Progress } from "./progress/progress.js";

export interface PromoteCliOptions {
  source: string;
  destination: string;
  tag: string[];
  gitTag?: string;
  insecure: string[];
  concurrency: string;
  referrers: boolean;
  quiet?: boolean;
  json?: boolean;
}

/** A client with the user's registry credentials (auth.json, Docker config) read from the given environment. */
export async function cliRegistryClient(
  io: CliIo,
  insecure: string[],
  note: (line: string) => void = (l) => io.stderr(`${l}\n`),
): Promise<RegistryClient> {
  const credentials = await loadCredentials(credentialFilePaths(io.env, io.env.HOME ?? homedir()));
  return new RegistryClient({
    credentials,
    insecureHosts: insecure,
    onRetry: (r) => note(`flibs: retrying ${r.url} in ${Math.round(r.delayMs)} ms (${r.reason})`),
  });
}

/** Prints a failure of the operation itself (not of the command line) and gives exit status 1. */
export function reportFailure(io: CliIo, e: unknown): number {
  if (isFlibsError(e) && e.code === "usage") throw e;
  io.stderr(`flibs: ${isFlibsError(e) ? e.message : `internal error: ${describeError(e)}`}\n`);
  return 1;
}

interface CopiedItem {
  what: "manifest" | "referrer" | "blob";
  digest: string;
  size?: number;
  how: string;
}

const short = (digest: string) => digest.slice(0, 19);

/** Turns the engine's events into progress: in-flight blobs on a terminal, one line per item in a log. */
function follow(progress: Progress, items: CopiedItem[]): (e: PromoteEvent) => void {
  let blobs = 0;
  let bytes = 0;
  let manifests = 0;
  const totals = () =>
    progress.status(
      "~totals",
      `${blobs} blob${blobs === 1 ? "" : "s"} done (${formatBytes(bytes)} streamed), ${manifests} manifest${manifests === 1 ? "" : "s"}`,
    );
  return (e) => {
    switch (e.kind) {
      case "blob-start":
        progress.status(e.digest, `blob ${short(e.digest)}  starting, ${formatBytes(e.size)}`, true);
        break;
      case "blob-bytes":
        progress.status(e.digest, `blob ${short(e.digest)}  ${formatBytes(e.bytes)} / ${formatBytes(e.size)}`, true);
        break;
      case "blob-done":
        items.push({ what: "blob", digest: e.digest, size: e.size, how: e.how });
        blobs++;
        if (e.how === "streamed") bytes += e.size;
        progress.remove(e.digest);
        progress.log(`blob ${e.digest} ${formatBytes(e.size)} ${e.how}`);
        totals();
        break;
      case "manifest-done":
        items.push({ what: e.referrer ? "referrer" : "manifest", digest: e.digest, how: e.how });
        manifests++;
        progress.log(`${e.referrer ? "referrer" : "manifest"} ${e.digest} ${e.how}`);
        totals();
        break;
    }
  };
}

/**
 * `flibs promote SOURCE DESTINATION`: SOURCE is a registry image or an OCI layout (`oci:PATH[:TAG]`,
 * `oci-archive:FILE[:TAG]`). 0 promoted, 1 refused or failed, 2 (thrown usage error) bad arguments.
 */
export async function runPromote(opts: PromoteCliOptions, io: CliIo): Promise<number> {
  const layoutRef = parseLayoutReference(opts.source);
  const registrySource = layoutRef ? undefined : parseReference(opts.source);
  const destination = parseRepository(opts.destination);
  const concurrency = Number(opts.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new FlibsError("usage", `--concurrency must be a whole number from 1 to 64, not "${opts.concurrency}"`);
  }
  const progress = createProgress(outputMode(opts, io), io);
  if (opts.gitTag === undefined && opts.tag.length === 0) {
    progress.note("flibs: no --tag or --git-tag given: the image is copied by digest only");
  }
  let opened: OpenedLayout | undefined;
  try {
    const client = await cliRegistryClient(io, opts.insecure, (l) => progress.note(l));
    opened = layoutRef ? await openLayoutReference(layoutRef, io.cwd) : undefined;
    const source: ImageReference = opened?.ref ?? registrySource!;
    const existingTags = opts.gitTag !== undefined ? await client.listTags(destination) : [];
    const plan = planTags({ ...(opts.gitTag !== undefined ? { gitTag: opts.gitTag } : {}), extraTags: opts.tag, existingTags });
    if (!plan.ok) throw plan.error;
    for (const h of plan.value.held) progress.note(`flibs: not moving ${h.tag}: ${h.reason}`);
    const items: CopiedItem[] = [];
    const options: PromoteOptions = {
      source,
      destination,
      tags: plan.value.tags,
      concurrency,
      referrers: opts.referrers,
      onProgress: (line) => progress.note(`flibs: ${line}`),
      onEvent: follow(progress, items),
      ...(opened ? { from: { store: opened.layout, name: opened.name } } : {}),
    };
    const report = await promote(client, options);
    progress.close();
    if (progress.mode === "json") {
      io.stdout(`${JSON.stringify({ ...report, copied: items }, null, 2)}\n`);
    } else if (progress.mode === "quiet") {
      io.stdout(`${report.destination}@${report.digest}\n`);
    } else {
      const table = formatTable([
        ["what", "digest", "size", "how"],
        ...items.map((i) => [i.what, i.digest, i.size !== undefined ? formatBytes(i.size) : "", i.how]),
      ]);
      io.stdout(`${table}${describePromotion(report).join("\n")}\n  requests: ${report.requests}\n`);
    }
    return 0;
  } catch (e) {
    progress.close();
    return reportFailure(io, e);
  } finally {
    await opened?.close();
  }
}
