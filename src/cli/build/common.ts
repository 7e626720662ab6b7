import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { DEFAULT_POLICY, parseContainerConfig, parsePolicyText, type ContainerConfig, type Policy } from "../../core/config/index.js";
import { FlibsError } from "../../core/errors.js";
import { isArch, type Arch } from "../../core/platform.js";
import { credentialFilePaths, isLoopbackHost, loadCredentials, RegistryClient } from "../../registry/index.js";
import type { CliIo } from "../io.js";

export async function readConfig(dir: string): Promise<ContainerConfig> {
  const text = await readFile(join(dir, "container.yaml"), "utf8").catch(() => undefined);
  const parsed = parseContainerConfig(text);
  if (!parsed.ok)
    throw new FlibsError("config", `container.yaml: ${parsed.findings.map((f) => `line ${f.line}: ${f.message}`).join("; ")}`);
  return parsed.value;
}

export async function readPolicy(file: string | undefined): Promise<Policy> {
  if (!file) return DEFAULT_POLICY;
  const text = await readFile(file, "utf8").catch(() => {
    throw new FlibsError("io", `cannot read policy file ${file}`);
  });
  const parsed = parsePolicyText(text, file);
  if (!parsed.ok) throw new FlibsError("config", `${file}: ${parsed.findings.map((f) => `line ${f.line}: ${f.message}`).join("; ")}`);
  return parsed.value;
}

export function parsePlatforms(text: string): Arch[] {
  const list = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 0) throw new FlibsError("usage", "--platforms names no arch");
  for (const a of list)
    if (!isArch(a)) throw new FlibsError("usage", `--platforms: unknown arch ${JSON.stringify(a)} (x86_64, aarch64, ppc64le, s390x)`);
  return list as Arch[];
}

/** A registry client with the user's Docker/Podman credentials. */
export async function cliClient(io: CliIo, insecure: string[]): Promise<{ client: RegistryClient; insecure: (h: string) => boolean }> {
  const credentials = await loadCredentials(credentialFilePaths(io.env, io.env.HOME ?? ""));
  return {
    client: new RegistryClient({ credentials, insecureHosts: insecure, userAgent: "flibs-cli" }),
    insecure: (h) => isLoopbackHost(h) || insecure.includes(h),
  };
}
