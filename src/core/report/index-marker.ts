/**
 * The index digest `flibs/build` recorded, kept machine-readable in its summary as an HTML comment (GitHub does
 * not render it), so promotion reads back exactly the digest that was tested: never a tag resolved again later.
 */
const MARKER = /<!-- flibs:index (sha256:[0-9a-f]{64}) -->/g;

const INDEX_DIGEST = /^sha256:[0-9a-f]{64}$/;

export function isIndexDigest(text: string | null | undefined): text is string {
  return INDEX_DIGEST.test(text ?? "");
}

export function formatIndexMarker(digest: string): string {
  if (!INDEX_DIGEST.test(digest)) throw new Error(`not an index digest: ${digest}`);
  return `<!-- flibs:index ${digest} -->`;
}

/** The recorded digest, or undefined when there is none, or more than one disagreeing (never guess). */
export function parseIndexMarker(...texts: ReadonlyArray<string | null | undefined>): string | undefined {
  const found = new Set<string>();
  for (const t of texts) for (const m of (t ?? "").matchAll(MARKER)) found.add(m[1]!);
  return found.size === 1 ? [...found][0] : undefined;
}
