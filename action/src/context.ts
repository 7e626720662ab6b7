import { readFile, writeFile } from "node:fs/promises";
import { basename, isAbsolute, join, relative, resolve, sep } from "node:path";
import type { JobDir } from "../../src/builder/job-storage.js";
import { DEFAULT_POLICY, parseContainerConfig, type ContainerConfig } from "../../src/core/config/index.js";
import { FlibsError } from "../../src/core/errors.js";
import { parseReference, parseRepository, type RepositoryRef } from "../../src/core/oci/reference.js";
import { credentialsFrom, isLoopbackHost, RegistryClient, type Credential } from "../../src/registry/index.js";
import type { ActionInputs } from "./inputs.js";

export interface RunContext {
  config: ContainerConfig;
  repository: RepositoryRef;
  /** The image's path under the candidate and stable prefixes. */
  image: string;
  client: RegistryClient;
  insecure: (host: string) => boolean;
  authFile?: string;
  /** This job's private directory: container storage, TMPDIR and the auth file, removed by `cleanup`. */
  job: JobDir;
  approved: string[];
  /** `https://github.com/owner/repo` on github.com, the GHES host's URL on Enterprise Server. */
  sourceUrl?: string;
  runUrl?: string;
  /** A file of the container repo (relative to `context`) as a path in the checked-out repository, for annotations. */
  repoPath(file: string): string | undefined;
  cleanup(): Promise<void>;
}

export async function readContainerConfig(dir: string): Promise<ContainerConfig> {
  let text: string | undefined;
  try {
    text = await readFile(join(dir, "container.yaml"), "utf8");
  } catch {
    text = undefined;
  }
  const parsed = parseContainerConfig(text);
  if (!parsed.ok) {
    throw new FlibsError("config", `container.yaml is invalid: ${parsed.findings.map((f) => `line ${f.line}: ${f.message}`).join("; ")}`);
  }
  return parsed.value;
}

/**
 * Everything a mode needs from the inputs and the runner's environment (GITHUB_SERVER_URL works on GHES).
 * The registry credentials go into the job's own directory (under RUNNER_TEMP, mode 0700, the file 0600),
 * never a shared /tmp, and are removed with it.
 */
export async function makeContext(inputs: ActionInputs, env: NodeJS.ProcessEnv, job: JobDir): Promise<RunContext> {
  const config = await readContainerConfig(inputs.context);
  const repoName = (env.GITHUB_REPOSITORY ?? "").split("/").pop()?.toLowerCase() || basename(inputs.context).toLowerCase();
  const image = inputs.image ?? config.image ?? repoName;
  const repository = parseRepository(`${inputs.registry}/${image}`);
  const insecure = (host: string) => isLoopbackHost(host) || inputs.insecureRegistries.includes(host);
  // Each credential goes to its own registry only: in promote mode `username`/`password` are the stable
  // registry's (an environment secret) and never reach the candidate host, which gets `candidate-*` instead.
  const stableHost = inputs.stableRegistry ? parseReference(inputs.stableRegistry + "/x").registry : undefined;
  const given: Array<[string, { username?: string; password?: string }]> =
    inputs.mode === "promote" && stableHost
      ? [
          [repository.registry, { username: inputs.candidateUsername, password: inputs.candidatePassword }],
          [stableHost, { username: inputs.username, password: inputs.password }],
        ]
      : [[repository.registry, { username: inputs.username, password: inputs.password }]];
  const creds: Record<string, Credential> = {};
  const auths: Record<string, { auth: string }> = {};
  for (const [host, c] of given) {
    if (!c.username || !c.password) continue;
    creds[host] = { kind: "basic", username: c.username, password: c.password };
    auths[host] = { auth: Buffer.from(`${c.username}:${c.password}`).toString("base64") };
  }
  let authFile: string | undefined;
  if (Object.keys(auths).length) {
    authFile = job.authFile;
    await writeFile(authFile, JSON.stringify({ auths }), { mode: 0o600, flag: "wx" });
  }
  const client = new RegistryClient({
    credentials: credentialsFrom(creds),
    insecureHosts: inputs.insecureRegistries,
    userAgent: "flibs-action",
  });
  const server = env.GITHUB_SERVER_URL?.replace(/\/+$/, "");
  return {
    config,
    repository,
    image,
    client,
    insecure,
    authFile,
    job,
    approved: inputs.approvedRegistries ?? DEFAULT_POLICY.approved_base_registries,
    sourceUrl: server && env.GITHUB_REPOSITORY ? `${server}/${env.GITHUB_REPOSITORY}` : undefined,
    runUrl:
      server && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
        ? `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
        : undefined,
    repoPath: (file) => repoPath(env.GITHUB_WORKSPACE ?? process.cwd(), inputs.context, file),
    cleanup: () => job.remove(),
  };
}

/** `file` of the context directory relative to the workspace (GitHub resolves an annotation's path there); none outside it. */
export function repoPath(workspace: string, context: string, file: string): string | undefined {
  const path = relative(resolve(workspace), resolve(workspace, context, file));
  return path === "" || path.startsWith("..") || isAbsolute(path) ? undefined : path.split(sep).join("/");
}
