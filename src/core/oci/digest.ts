/** OCI digests (`algorithm:encoded`). flibs writes and verifies sha256; sha512 is accepted when read. */
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const ENCODED: Record<string, RegExp> = { sha256: /^[a-f0-9]{64}$/, sha512: /^[a-f0-9]{128}$/ };

export function isValidDigest(value: string): boolean {
  if (!DIGEST.test(value)) return false;
  const [algorithm, encoded] = value.split(":") as [string, string];
  const rule = ENCODED[algorithm];
  return rule?.test(encoded) === true;
}

export function digestAlgorithm(digest: string): string {
  return digest.slice(0, digest.indexOf(":"));
}

/** The OCI 1.1 referrers tag-schema fallback tag for a subject: `sha256-<hex>`. */
export function referrersFallbackTag(subjectDigest: string): string {
  return subjectDigest.replace(":", "-").slice(0, 128);
}
