import { homedir } from "node:os";
import { credentialFilePaths, loadCredentials, RegistryClient, type CredentialLookup } from "../registry/index.js";

export interface RegistryAccess {
  /** A client for these plain-HTTP hosts (policy `registries.insecure`; loopback always is). */
  client(insecureHosts: string[]): Promise<RegistryClient>;
}

/** Registry credentials from the standard Docker/Podman files (REGISTRY_AUTH_FILE, DOCKER_CONFIG), read once. */
export function defaultRegistryAccess(env: Record<string, string | undefined> = process.env): RegistryAccess {
  let creds: Promise<CredentialLookup> | undefined;
  return {
    async client(insecureHosts) {
      creds ??= loadCredentials(credentialFilePaths(env, env.HOME ?? homedir()));
      return new RegistryClient({ credentials: await creds, insecureHosts, userAgent: "flibs-app" });
    },
  };
}
