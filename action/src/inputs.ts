import * as core from "@actions/core";
import { parseArchDigests, parseIsolation, parsePrNumber } from "../../src/core/build/index.js";
import type { Isolation } from "../../src/core/config/index.js";
import { FlibsError } from "../../src/core/errors.js";
import { ARCHES, isArch, type Arch } from "../../src/core/platform.js";
import { parseBuilderChoice, type BuilderChoice } from "../../src/builder/select.js";

export type Mode = "build" | "publish" | "promote";

export interface ActionInputs {
  mode: Mode;
  arch?: Arch;
  arches?: Arch[];
  sha?: string;
  buildId?: string;
  pr?: number;
  scratch: boolean;
  /** promote: whether a release moves `latest`. */
  latest: boolean;
  context: string;
  registry: string;
  image?: string;
  digests?: Map<Arch, string>;
  /** publish: arches a `/retest` did not rebuild, with the digests their earlier, tested build reported. */
  keptDigests?: Map<Arch, string>;
  username?: string;
  password?: string;
  /** promote: credentials for reading the candidate registry (the stable ones never go there). */
  candidateUsername?: string;
  candidatePassword?: string;
  insecureRegistries: string[];
  approvedRegistries?: string[];
  builder: BuilderChoice;
  /** build: how RUN steps are isolated (the policy's build.isolation); `chroot` only on ephemeral runners. */
  isolation: Isolation;
  componentDrift: "warn" | "fail";
  stableRegistry?: string;
  gitRef?: string;
  /** promote: the tested index digest; the source is read by it, never re-resolved from a tag. */
  digest?: string;
  /** promote: the App's promotion id, its App id and the job's token, to check the App asked for this promotion. */
  promotionId?: string;
  appId?: number;
  githubToken?: string;
}

const list = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);
const opt = (name: string) => core.getInput(name).trim() || undefined;

function arch(text: string, what: string): Arch {
  if (!isArch(text)) throw new FlibsError("usage", `${what} must be one of ${ARCHES.join(", ")}, got ${JSON.stringify(text)}`);
  return text;
}

function archList(text: string): Arch[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    v = list(text);
  }
  if (!Array.isArray(v) || v.length === 0) throw new FlibsError("usage", 'arches must be a JSON array such as ["x86_64", "aarch64"]');
  return v.map((a) => arch(String(a), "each of arches"));
}

function booleanInput(name: string, text: string, fallback: boolean): boolean {
  const t = text.trim() || String(fallback);
  if (t !== "true" && t !== "false") throw new FlibsError("usage", `${name} must be true or false, got ${JSON.stringify(t)}`);
  return t === "true";
}

/** Reads and checks every input; a bad one is a `usage` error naming it. */
export function readInputs(): ActionInputs {
  const mode = core.getInput("mode", { required: true }).trim();
  if (mode !== "build" && mode !== "publish" && mode !== "promote") {
    throw new FlibsError("usage", `mode must be build, publish or promote, got ${JSON.stringify(mode)}`);
  }
  const drift = opt("component-drift") ?? "warn";
  if (drift !== "warn" && drift !== "fail")
    throw new FlibsError("usage", `component-drift must be warn or fail, got ${JSON.stringify(drift)}`);
  const registry = opt("registry");
  if (!registry) throw new FlibsError("usage", "registry is required (the candidate repository prefix, e.g. ghcr.io/my-org/candidates)");
  const password = opt("password");
  if (password) core.setSecret(password);
  const candidatePassword = opt("candidate-password");
  if (candidatePassword) core.setSecret(candidatePassword);
  const inputs: ActionInputs = {
    mode,
    context: opt("context") ?? ".",
    registry: registry.replace(/\/+$/, ""),
    insecureRegistries: list(core.getInput("insecure-registries")),
    builder: parseBuilderChoice(opt("builder")),
    isolation: parseIsolation(opt("isolation")),
    componentDrift: drift,
    pr: parsePrNumber(core.getInput("pr")),
    scratch: booleanInput("scratch", core.getInput("scratch"), false),
    latest: booleanInput("latest", core.getInput("latest"), true),
    sha: opt("sha") ?? process.env.GITHUB_SHA,
    buildId: opt("build-id"),
    image: opt("image"),
    username: opt("username"),
    password,
    candidateUsername: opt("candidate-username"),
    candidatePassword,
    stableRegistry: opt("stable-registry")?.replace(/\/+$/, ""),
    gitRef: opt("git-ref"),
  };
  const approved = opt("approved-registries");
  if (approved) inputs.approvedRegistries = list(approved);
  const a = opt("arch");
  if (a) inputs.arch = arch(a, "arch");
  const as = opt("arches");
  if (as) inputs.arches = archList(as);
  const d = opt("digests");
  if (d) inputs.digests = parseArchDigests(d);
  const kept = opt("kept-digests");
  if (kept) inputs.keptDigests = parseArchDigests(kept, "kept-digests", { allowEmpty: true });
  const digest = opt("digest");
  if (digest !== undefined) {
    if (!/^sha256:[0-9a-f]{64}$/.test(digest))
      throw new FlibsError("usage", `digest must be sha256:<64 hex digits>, got ${JSON.stringify(digest)}`);
    inputs.digest = digest;
  }
  const promotionId = opt("promotion-id");
  if (promotionId !== undefined) {
    if (!/^[0-9a-f]{40}-[1-9][0-9]{0,5}$/.test(promotionId))
      throw new FlibsError("usage", `promotion-id must be <sha>-<attempt>, got ${JSON.stringify(promotionId)}`);
    inputs.promotionId = promotionId;
  }
  const appId = opt("app-id");
  if (appId !== undefined) {
    if (!/^[1-9][0-9]{0,15}$/.test(appId))
      throw new FlibsError("usage", `app-id must be the flibs App's numeric id, got ${JSON.stringify(appId)}`);
    inputs.appId = Number(appId);
  }
  const token = opt("github-token");
  if (token) {
    core.setSecret(token);
    inputs.githubToken = token;
  }
  if (inputs.sha !== undefined && !/^[0-9a-f]{40}$/.test(inputs.sha))
    throw new FlibsError("usage", `sha must be a full commit SHA, got ${JSON.stringify(inputs.sha)}`);
  if (mode === "build" && !inputs.arch) throw new FlibsError("usage", "mode build needs arch");
  if (mode === "publish" && !inputs.arches && !inputs.digests) throw new FlibsError("usage", "mode publish needs arches or digests");
  if (mode === "promote" && !inputs.stableRegistry) throw new FlibsError("usage", "mode promote needs stable-registry");
  if (!inputs.sha) throw new FlibsError("usage", "sha is required");
  return inputs;
}
