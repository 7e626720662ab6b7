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
 * Passes bytes through while hashing and counting them; errors the stream at its end when the content
 * does not match `digest` or `size`, so a consumer never commits what it was not promised.
 */
export function verifyingStream(
  digest: string,
  size: number | undefined,
  what: string,
  onBytes?: (n: number) => void,
): TransformStream<Uint8Array, Uint8Array> {
  const hash = hasherFor(digest);
  let seen = 0;
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      hash.update(chunk);
      seen += chunk.byteLength;
      onBytes?.(chunk.byteLength);
      if (size !== undefined && seen > size) {
        controller.error(new FlibsError("digest-mismatch", `${what}: more than the ${size} bytes announced`));
        return;
      }
      controller.enqueue(chunk);
    },
    flush(controller) {
      const got = `${digest.slice(0, digest.indexOf(":"))}:${hash.digest("hex")}`;
      if (size !== undefined && seen !== size) {
        controller.error(new FlibsError("digest-mismatch", `${what}: got ${seen} bytes, expected ${size}`));
      } else if (got !== digest) {
        controller.error(new FlibsError("digest-mismatch", `${what}: content digest ${got} does not match ${digest}`));
      }
    },
  });
}

/**
 * The same check as an async generator (cheaper than a TransformStream on the hot path): yields the
 * chunks of `source` and throws after the last one when they do not match `digest`/`size`.
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
  for await (const chunk of source) {
    hash.update(chunk);
    seen += chunk.byteLength;
    onBytes?.(chunk.byteLength);
    if (size !== undefined && seen > size) throw new FlibsError("digest-mismatch", `${what}: more than the ${size} bytes announced`);
    yield chunk;
  }
  const got = `${digest.slice(0, digest.indexOf(":"))}:${hash.digest("hex")}`;
  if (size !== undefined && seen !== size) throw new FlibsError("digest-mismatch", `${what}: got ${seen} bytes, expected ${size}`);
  if (got !== digest) throw new FlibsError("digest-mismatch", `${what}: content digest ${got} does not match ${digest}`);
}

/** Counts chunks without hashing (for a source that is already verified). */
export async function* countChunks(source: AsyncIterable<Uint8Array>, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    onBytes(chunk.byteLength);
    yield chunk;
  }
}
