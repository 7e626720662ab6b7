import { createHash, type Hash } from "node:crypto";
import { FlibsError } from "../core/errors.js";

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

function hasherFor(digest: string): Hash {
  const algorithm = digest.slice(0, digest.indexOf(":"));
  if (algorithm !== "sha256" && algorithm !== "sha512") {
    throw new FlibsError("digest-mismatch", `digest algorithm ${algorithm} is not supported`);
  }
  return createHash(algorithm);
}

/**
 * Passes the chunks of `source` through while hashing and counting them, and throws at the end when they
 * do not match `digest`/`size`, so a consumer never commits what it was not promised.
 */
export async function* verifyChunks(
  source: AsyncIterable<Uint8Array>,
  digest: string,
  size: number | undefined,
  what: string,
  onBytes?: (n: number) => void,
): AsyncGenerator<Uint8Array> {
  const hash = hasherFor(digest);
  let seen = 0;
  // The last chunk is held back until the digest matched: an upload with a Content-Length is complete
  // (and could be committed) as soon as its last byte is sent, so that byte only goes once verified.
  let held: Uint8Array | undefined;
  for await (const chunk of source) {
    hash.update(chunk);
    seen += chunk.byteLength;
    onBytes?.(chunk.byteLength);
    if (size !== undefined && seen > size) throw new FlibsError("digest-mismatch", `${what}: more than the ${size} bytes announced`);
    if (held) yield held;
    held = chunk;
  }
  const got = `${digest.slice(0, digest.indexOf(":"))}:${hash.digest("hex")}`;
  if (size !== undefined && seen !== size) throw new FlibsError("digest-mismatch", `${what}: got ${seen} bytes, expected ${size}`);
  if (got !== digest) throw new FlibsError("digest-mismatch", `${what}: content digest ${got} does not match ${digest}`);
  if (held) yield held;
}

/** Counts chunks without hashing (for a source that is already verified). */
export async function* countChunks(source: AsyncIterable<Uint8Array>, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    onBytes(chunk.byteLength);
    yield chunk;
  }
}
