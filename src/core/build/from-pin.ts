import { FlibsError } from "../errors.js";
import { imageUnder, parseImageName, parseDockerfile, type ImageName, type ParsedDockerfile } from "../dockerfile/index.js";
import { platformToArch, type Arch } from "../platform.js";

export interface BaseImage {
  /** The reference after ARG substitution, as written (tag and/or digest). */
  ref: string;
  name: ImageName;
  /** Stage indexes whose FROM names it. */
  stages: number[];
}

/**
 * The external images a Dockerfile pulls (FROM, and `COPY --from=` / `RUN --mount=from=` naming an image rather
 * than a stage), each once, in file order: all of them are approved, resolved and pinned like a FROM.
 */
export function baseImages(parsed: ParsedDockerfile): BaseImage[] {
  const out = new Map<string, BaseImage>();
  for (const use of parsed.images) {
    const where = `${use.via} on line ${use.instruction.line}`;
    if (use.ref.unresolved.length > 0) {
      throw new FlibsError(
        "build",
        `${where} uses ${use.ref.unresolved.map((v) => `$${v}`).join(", ")} with no value: give it a default ARG or a build_args entry`,
      );
    }
    const ref = use.ref.resolved;
    const name = parseImageName(ref);
    if (!name) throw new FlibsError("build", `${where} is not an image reference: ${ref}`);
    const stage = use.instruction.stage;
    const seen = out.get(ref);
    if (seen) seen.stages.push(stage);
    else out.set(ref, { ref, name, stages: [stage] });
  }
  return [...out.values()];
}

/** Fails unless every base lies under an approved registry (policy `approved_base_registries`). */
export function checkApprovedBases(bases: readonly BaseImage[], approved: readonly string[]): void {
  const refused = bases.filter((b) => !approved.some((p) => imageUnder(b.name, p)));
  if (refused.length > 0) {
    throw new FlibsError(
      "policy",
      `base image${refused.length > 1 ? "s" : ""} ${refused.map((b) => b.ref).join(", ")} not from an approved registry (${approved.join(", ") || "none approved"}): ` +
        `use a base from one of them, or have the registry added to the organisation policy's approved_base_registries (locally: flibs build --allow-base ${refused[0]!.name.registry})`,
    );
  }
}

/** `registry/repository@digest`: the reference a pinned FROM names. */
export function pinnedRef(name: ImageName, digest: string): string {
  return `${name.registry}/${name.repository}@${digest}`;
}

/**
 * Rewrites every FROM that names an external image to its digest (`digests` maps the BaseImage `ref` to the
 * digest it resolved to), keeping FROM flags and `AS name`. Other lines are left byte for byte.
 */
export function pinFrom(
  text: string,
  digests: ReadonlyMap<string, string>,
  buildArgs: Readonly<Record<string, string>> = {},
  /** Per-arch image digests of multi-arch bases, used for stages without a `--platform` flag. */
  archDigests: ReadonlyMap<string, string> = new Map(),
  /** `text` already parsed with these `buildArgs` (the caller's parse, so it is not done twice). */
  parsedText?: ParsedDockerfile,
): string {
  const parsed = parsedText ?? parseDockerfile(text, "Dockerfile", { buildArgs });
  const lines = text.split("\n");
  // Replace from the bottom so earlier line numbers stay valid.
  for (const stage of [...parsed.stages].reverse()) {
    if (stage.from.kind !== "image") continue;
    const raw = lines
      .slice(stage.instruction.line - 1, stage.instruction.endLine)
      .join(" ")
      .replace(/\\\s/g, " ");
    const words = raw.trim().split(/\s+/).slice(1);
    const flags: string[] = [];
    for (const w of words) {
      if (!w.startsWith("--")) break;
      flags.push(w);
    }
    // A `--platform` stage runs for another platform than the target arch: it keeps the index digest.
    const ownPlatform = flags.some((f) => f.startsWith("--platform"));
    const digest = (!ownPlatform ? archDigests.get(stage.from.resolved) : undefined) ?? digests.get(stage.from.resolved);
    const name = parseImageName(stage.from.resolved);
    if (!digest || !name) throw new FlibsError("internal", `no digest resolved for base image ${stage.from.resolved}`);
    if (!/^sha256:[0-9a-f]{64}$/.test(digest))
      throw new FlibsError("registry", `base image ${stage.from.resolved} resolved to a malformed digest ${digest}`);
    const keyword = lines[stage.instruction.line - 1]!.trimStart().slice(0, 4);
    const rewritten = [keyword, ...flags, pinnedRef(name, digest), ...(stage.name ? ["AS", stage.name] : [])].join(" ");
    const indent = /^\s*/.exec(lines[stage.instruction.line - 1]!)![0];
    lines.splice(stage.instruction.line - 1, stage.instruction.endLine - stage.instruction.line + 1, indent + rewritten);
  }
  return pinFlagImages(lines.join("\n"), digests, buildArgs, archDigests);
}

/** `COPY --from=<image>` and `RUN --mount=...,from=<image>` rewritten to the image's digest, in place. */
function pinFlagImages(
  text: string,
  digests: ReadonlyMap<string, string>,
  buildArgs: Readonly<Record<string, string>>,
  archDigests: ReadonlyMap<string, string>,
): string {
  const parsed = parseDockerfile(text, "Dockerfile", { buildArgs });
  const lines = text.split("\n");
  for (const use of [...parsed.images].reverse()) {
    if (use.via === "FROM") continue;
    const digest = archDigests.get(use.ref.resolved) ?? digests.get(use.ref.resolved);
    const name = parseImageName(use.ref.resolved);
    if (!digest || !name) throw new FlibsError("internal", `no digest resolved for image ${use.ref.resolved} (${use.via})`);
    const line = lines[use.ref.line - 1]!;
    const start = use.ref.column - 1;
    if (line.slice(start, start + use.ref.raw.length) !== use.ref.raw) {
      throw new FlibsError("build", `${use.via} on line ${use.instruction.line}: write the image on one line, so flibs can pin it`);
    }
    lines[use.ref.line - 1] = line.slice(0, start) + pinnedRef(name, digest) + line.slice(start + use.ref.raw.length);
  }
  return lines.join("\n");
}

/**
 * The digest of `arch`'s image in a base index (what the build for that arch really starts from). Pinning to
 * it, rather than to the index, is what OSBS did per arch, and lets builders reuse a base already pulled.
 */
export function archImageDigest(
  manifest: { manifests?: Array<{ digest: string; platform?: { os?: string; architecture?: string } }> },
  arch: Arch,
): string | undefined {
  return manifest.manifests?.find((m) => m.platform && platformToArch(m.platform) === arch)?.digest;
}

/**
 * OSBS's check_base_image: a multi-arch base must hold every planned arch. `manifest` is what the base's
 * reference resolved to; a single-arch image is checked through its config's architecture (`configArch`).
 */
export function missingBaseArches(
  manifest: { mediaType?: string; manifests?: Array<{ platform?: { os?: string; architecture?: string } }> },
  planned: readonly Arch[],
  configArch?: Arch,
): Arch[] {
  if (Array.isArray(manifest.manifests)) {
    const have = new Set(
      manifest.manifests.map((m) => (m.platform ? platformToArch(m.platform as { os: string; architecture: string }) : undefined)),
    );
    return planned.filter((a) => !have.has(a));
  }
  return configArch ? planned.filter((a) => a !== configArch) : [...planned];
}
