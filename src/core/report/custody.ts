import { isArch, type Arch } from "../platform.js";

/**
 * The digest that reaches `flibs/build` (and so promotion) is carried by value: each arch job reports the digest
 * it built and tested, the publish job reports the index it pushed, and the index read back *by that digest*
 * must hold exactly the tested digests, arch for arch. An arch a `/retest` did not rebuild keeps the digest the
 * App recorded for it in the earlier attempt. Nothing here is ever re-read from a tag.
 */
export type Custody = { ok: true; digests: Map<Arch, string> } | { ok: false; reason: string; digests: Map<Arch, string> };

export function verifyIndexCustody(args: {
  planned: readonly Arch[];
  building: readonly Arch[];
  /** What this run's arch jobs reported. */
  reported: ReadonlyMap<Arch, string>;
  /** What the plan kept from the earlier attempt. */
  kept: Partial<Record<Arch, string>>;
  /** The index as read back by the digest publish reported: its children per arch. */
  children: ReadonlyArray<{ arch: Arch; digest: string }>;
}): Custody {
  const expected = new Map<Arch, string>();
  for (const a of args.planned) {
    const d = args.building.includes(a) ? args.reported.get(a) : args.kept[a];
    if (d) expected.set(a, d);
  }
  const untracked = args.planned.filter((a) => !expected.has(a));
  if (untracked.length) return { ok: false, reason: `no tested digest was reported for ${untracked.join(", ")}`, digests: expected };
  const held = new Map<Arch, string>();
  for (const c of args.children) if (!held.has(c.arch)) held.set(c.arch, c.digest);
  const extra = [...held.keys()].filter((a) => !args.planned.includes(a));
  if (extra.length) return { ok: false, reason: `the index holds ${extra.join(", ")}, which the build did not plan`, digests: expected };
  for (const a of args.planned) {
    const got = held.get(a);
    if (!got) return { ok: false, reason: `the index holds no ${a} image`, digests: expected };
    if (got !== expected.get(a))
      return { ok: false, reason: `the index's ${a} image ${got} is not the tested ${expected.get(a)}`, digests: expected };
  }
  return { ok: true, digests: expected };
}

const MARKER = /<!-- flibs:digests (\{[^<>]*\}) -->/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The tested digest of each arch, kept in `flibs/build`'s summary for a later `/retest` of some arches. */
export function formatDigestsMarker(digests: ReadonlyMap<Arch, string>): string {
  return `<!-- flibs:digests ${JSON.stringify(Object.fromEntries(digests))} -->`;
}

export function parseDigestsMarker(text: string | null | undefined): Partial<Record<Arch, string>> {
  const m = MARKER.exec(text ?? "");
  if (!m) return {};
  try {
    const v = JSON.parse(m[1]!) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(v).filter(([a, d]) => isArch(a) && typeof d === "string" && DIGEST.test(d)));
  } catch {
    return {};
  }
}
