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
