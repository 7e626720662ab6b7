import { homedir } from "node:os";
import { describeError, FlibsError, isFlibsError } from "../core/errors.js";
import { parseReference, parseRepository } from "../core/oci/reference.js";
import { describePromotion } from "../core/promote/report.js";
import { planTags } from "../core/promote/tags.js";
import { credentialFilePaths, loadCredentials } from "../registry/credentials.js";
import { RegistryClient } from "../registry/client.js";
import { promote } from "../registry/promote.js";
import type { CliIo } from "./io.js";

export interface PromoteCliOptions {
  source: string;
  destination: string;
  tag: string[];
  gitTag?: string;
  insecure: string[];
  concurrency: string;
  referrers: boolean;
}

/** A client with the user's registry credentials (auth.json, Docker config) read from the given environment. */
export async function cliRegistryClient(io: CliIo, insecure: string[]): Promise<RegistryClient> {
  const credentials = await loadCredentials(credentialFilePaths(io.env, io.env.HOME ?? homedir()));
  return new RegistryClient({
    credentials,
    insecureHosts: insecure,
    onRetry: (r) => io.stderr(`flibs: retrying ${r.url} in ${Math.round(r.delayMs)} ms (${r.reason})\n`),
  });
}

/** Prints a failure of the operation itself (not of the command line) and gives exit status 1. */
export function reportFailure(io: CliIo, e: unknown): number {
  if (isFlibsError(e) && e.code === "usage") throw e;
  io.stderr(`flibs: ${isFlibsError(e) ? e.message : `internal error: ${describeError(e)}`}\n`);
  return 1;
}

/** `flibs promote SOURCE DESTINATION`: 0 promoted, 1 refused or failed, 2 (thrown usage error) bad arguments. */
export async function runPromote(opts: PromoteCliOptions, io: CliIo): Promise<number> {
  const source = parseReference(opts.source);
  const destination = parseRepository(opts.destination);
  const concurrency = Number(opts.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new FlibsError("usage", `--concurrency must be a whole number from 1 to 64, not "${opts.concurrency}"`);
  }
  if (opts.gitTag === undefined && opts.tag.length === 0) {
    io.stderr("flibs: no --tag or --git-tag given: the image is copied by digest only\n");
  }
  try {
    const client = await cliRegistryClient(io, opts.insecure);
    const existingTags = opts.gitTag !== undefined ? await client.listTags(destination) : [];
    const plan = planTags({ ...(opts.gitTag !== undefined ? { gitTag: opts.gitTag } : {}), extraTags: opts.tag, existingTags });
    if (!plan.ok) throw plan.error;
    for (const h of plan.value.held) io.stderr(`flibs: not moving ${h.tag}: ${h.reason}\n`);
    const report = await promote(client, {
      source,
      destination,
      tags: plan.value.tags,
      concurrency,
      referrers: opts.referrers,
      onProgress: (line) => io.stderr(`flibs: ${line}\n`),
    });
    io.stdout(describePromotion(report).join("\n") + "\n");
    io.stdout(`  requests: ${report.requests}\n`);
    return 0;
  } catch (e) {
    return reportFailure(io, e);
  }
}
