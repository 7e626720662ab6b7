/**
 * Image references, parsed like the reference grammar of the distribution project
 * (github.com/distribution/reference): `[domain[:port]/]path[:tag][@digest]`, Docker Hub as the
 * default domain and `library/` as its default namespace.
 */
import { FlibsError } from "../errors.js";
import { isValidDigest } from "./digest.js";

export const DOCKER_HUB = "docker.io";

/** A repository on a registry: where manifests and blobs live. */
export interface RepositoryRef {
  /** `ghcr.io`, `registry.example.com:5000`, `docker.io` (normalised, lower case). */
  registry: string;
  /** `my-org/app`, `library/alpine` */
  repository: string;
}

export interface ImageReference extends RepositoryRef {
  tag?: string;
  digest?: string;
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const NAME_MAX = 255;

function bad(input: string, why: string): FlibsError {
  return new FlibsError("usage", `invalid image reference "${input}": ${why}`);
}

/** Splits `name` into registry and repository the way Docker does (first part is a domain if it looks like one). */
function splitName(input: string, name: string): RepositoryRef {
  const slash = name.indexOf("/");
  let registry = DOCKER_HUB;
  let repository = name;
  if (slash > 0) {
    const first = name.slice(0, slash);
    if (first.includes(".") || first.includes(":") || first === "localhost" || first !== first.toLowerCase()) {
      registry = first;
      repository = name.slice(slash + 1);
    }
  }
  if (!DOMAIN.test(registry)) throw bad(input, `"${registry}" is not a valid registry host`);
  if (registry === "index.docker.io" || registry === "registry-1.docker.io") registry = DOCKER_HUB;
  if (repository.length === 0) throw bad(input, "the repository name is empty");
  if (repository !== repository.toLowerCase()) throw bad(input, "repository names must be lower case");
  for (const part of repository.split("/")) {
    if (!PATH_COMPONENT.test(part)) throw bad(input, `"${part}" is not a valid repository path component`);
  }
  if (registry === DOCKER_HUB && !repository.includes("/")) repository = `library/${repository}`;
  if (`${registry}/${repository}`.length > NAME_MAX) throw bad(input, `the name is longer than ${NAME_MAX} characters`);
  return { registry: registry.toLowerCase(), repository };
}

/** Parses `host/repo[:tag][@digest]`; throws a `usage` FlibsError on anything the grammar refuses. */
export function parseReference(input: string): ImageReference {
  const s = input.trim();
  if (s.length === 0) throw bad(input, "it is empty");
  if (/\s/.test(s)) throw bad(input, "it contains whitespace");
  let rest = s;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isValidDigest(digest)) throw bad(input, `"${digest}" is not a valid digest (expected sha256:<64 hex>)`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad(input, `"${tag}" is not a valid tag`);
  }
  const ref: ImageReference = splitName(input, rest);
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** Parses a repository without tag or digest (a promotion destination). */
export function parseRepository(input: string): RepositoryRef {
  const ref = parseReference(input);
  if (ref.tag !== undefined || ref.digest !== undefined) {
    throw bad(input, "expected a repository (host/name) without a tag or digest");
  }
  return { registry: ref.registry, repository: ref.repository };
}

export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

export function formatRepository(ref: RepositoryRef): string {
  return `${ref.registry}/${ref.repository}`;
}

export function formatReference(ref: ImageReference): string {
  return `${formatRepository(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ""}${ref.digest !== undefined ? `@${ref.digest}` : ""}`;
}

/** What to ask the registry for: the digest when there is one (it pins), else the tag, else `latest`. */
export function referenceTarget(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? "latest";
}
