import { createHash, type Hash } from "node:crypto";
import { Transform } from "node:stream";
import { FlibsError } from "../core/errors.js";

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** The digest of `bytes` with the algorithm `like` names (sha256 or sha512), to compare with `like`. */
export function digestLike(bytes: Uint8Array, like: string): string {
  const algorithm = like.slice(0, like.indexOf(":"));
  return `${algorithm}:${hasherFor(like).update(bytes).digest("hex")}`;
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
  const mismatch = endCheck(hash, digest, seen, size, what);
  if (mismatch) throw mismatch;
  if (held) yield held;
}

/**
 * The same check as a Transform stream, for piping a download into an upload without a promise per
 * chunk (the hot path of a cross-registry copy). Also holds back the last chunk until verified.
 */
export function verifyingTransform(digest: string, size: number | undefined, what: string, onBytes?: (n: number) => void): Transform {
  const hash = hasherFor(digest);
  let seen = 0;
  let held: Buffer | undefined;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      seen += chunk.length;
      onBytes?.(chunk.length);
      if (size !== undefined && seen > size) {
        done(new FlibsError("digest-mismatch", `${what}: more than the ${size} bytes announced`));
        return;
      }
      const out = held;
      held = chunk;
      done(null, out);
    },
    flush(done) {
      done(endCheck(hash, digest, seen, size, what), held);
    },
  });
}

function endCheck(hash: Hash, digest: string, seen: number, size: number | undefined, what: string): FlibsError | null {
  const got = `${digest.slice(0, digest.indexOf(":"))}:${hash.digest("hex")}`;
  if (size !== undefined && seen !== size) return new FlibsError("digest-mismatch", `${what}: got ${seen} bytes, expected ${size}`);
  if (got !== digest) return new FlibsError("digest-mismatch", `${what}: content digest ${got} does not match ${digest}`);
  return null;
}
