/**
 * Registry credentials from the files docker and podman/skopeo write: the containers `auth.json`
 * (`REGISTRY_AUTH_FILE`, `$XDG_RUNTIME_DIR/containers/auth.json`, `~/.config/containers/auth.json`) and
 * the Docker config (`$DOCKER_CONFIG/config.json`, `~/.docker/config.json`). Only inline `auths` entries
 * are read; credential helpers (`credsStore`, `credHelpers`) are not run.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { FlibsError } from "../core/errors.js";

export type Credential =
  | { kind: "basic"; username: string; password: string }
  /** An OAuth2 refresh token (`identitytoken`), exchanged at the token realm. */
  | { kind: "identity-token"; username: string; token: string };

/** Finds the credential for a repository (`registry`, `repository`), most specific entry first. */
export type CredentialLookup = (registry: string, repository?: string) => Credential | undefined;

export const noCredentials: CredentialLookup = () => undefined;

/** The files to read, in precedence order, from an environment and home directory the caller passes in. */
export function credentialFilePaths(env: Record<string, string | undefined>, home: string): string[] {
  const paths: string[] = [];
  if (env.REGISTRY_AUTH_FILE) paths.push(env.REGISTRY_AUTH_FILE);
  if (env.XDG_RUNTIME_DIR) paths.push(join(env.XDG_RUNTIME_DIR, "containers", "auth.json"));
  paths.push(join(env.XDG_CONFIG_HOME ?? join(home, ".config"), "containers", "auth.json"));
  paths.push(join(env.DOCKER_CONFIG ?? join(home, ".docker"), "config.json"));
  return paths;
}

/** `https://index.docker.io/v1/` -> `docker.io`; `quay.io/org` stays; scheme and trailing slash dropped. */
export function normaliseAuthKey(key: string): string {
  let k = key
    .trim()
    .replace(/^[a-z]+:\/\//i, "")
    .replace(/\/+$/, "");
  const slash = k.indexOf("/");
  let host = slash < 0 ? k : k.slice(0, slash);
  let path = slash < 0 ? "" : k.slice(slash);
  if (host === "index.docker.io" || host === "registry-1.docker.io" || host === "docker.io") {
    host = "docker.io";
    if (path === "/v1" || path === "/v2") path = "";
  }
  k = host.toLowerCase() + path;
  return k;
}

function decodeEntry(file: string, key: string, entry: unknown): Credential | undefined {
  if (typeof entry !== "object" || entry === null) return undefined;
  const e = entry as Record<string, unknown>;
  let username = typeof e.username === "string" ? e.username : "";
  let password = typeof e.password === "string" ? e.password : "";
  if (typeof e.auth === "string" && e.auth.length > 0) {
    const decoded = Buffer.from(e.auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) throw new FlibsError("config", `${file}: the auth entry for ${key} is not base64 of user:password`);
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  if (typeof e.identitytoken === "string" && e.identitytoken.length > 0) {
    return { kind: "identity-token", username, token: e.identitytoken };
  }
  if (username === "" && password === "") return undefined;
  return { kind: "basic", username, password };
}

/** Reads the files (missing ones are skipped) into a lookup. A file that is not JSON is a `config` error. */
export async function loadCredentials(paths: string[]): Promise<CredentialLookup> {
  const entries = new Map<string, Credential>();
  for (const file of paths) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch {
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new FlibsError("config", `${file} is not valid JSON`, { cause: e });
    }
    const auths = (json as { auths?: unknown } | null)?.auths;
    if (typeof auths !== "object" || auths === null) continue;
    for (const [key, entry] of Object.entries(auths)) {
      const cred = decodeEntry(file, key, entry);
      const k = normaliseAuthKey(key);
      if (cred && !entries.has(k)) entries.set(k, cred);
    }
  }
  return credentialsFrom(entries);
}

/** A lookup over `registry[/namespace...]` keys; the longest matching prefix wins. */
export function credentialsFrom(entries: Map<string, Credential> | Record<string, Credential>): CredentialLookup {
  const map = entries instanceof Map ? entries : new Map(Object.entries(entries).map(([k, v]) => [normaliseAuthKey(k), v]));
  return (registry, repository) => {
    if (repository) {
      const parts = repository.split("/");
      for (let i = parts.length; i > 0; i--) {
        const hit = map.get(`${registry}/${parts.slice(0, i).join("/")}`);
        if (hit) return hit;
      }
    }
    return map.get(registry);
  };
}
