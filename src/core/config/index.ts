import { z } from "zod";
import { ARCHES, sortArches, type Arch } from "../platform.js";
import type { Finding } from "../findings.js";
import { containerConfigSchema, type ContainerConfig } from "./container.js";
import { policySchema, type Policy } from "./policy.js";
import { issueMessages } from "./issue-message.js";
import { parseYamlConfig, type ParsedConfig } from "./yaml-source.js";

export * from "./container.js";
export * from "./policy.js";
export { CONFIG_SCHEMA_RULE, CONFIG_SYNTAX_RULE, parseYamlConfig } from "./yaml-source.js";

export const CONTAINER_CONFIG_FILE = "container.yaml";
export const POLICY_FILE = ".github/flibs.yml";

export function parseContainerConfig(text: string | undefined, file = CONTAINER_CONFIG_FILE): ParsedConfig<ContainerConfig> {
  return parseYamlConfig(text ?? "", file, containerConfigSchema);
}

/** Policy as parsed from the org's `.github/flibs.yml` (Probot's loader has already resolved `_extends`). */
export function parsePolicy(value: unknown): { ok: true; value: Policy } | { ok: false; message: string } {
  const r = policySchema.safeParse(value ?? {});
  if (r.success) return { ok: true, value: r.data };
  return {
    ok: false,
    message: issueMessages(r.error.issues, value ?? {}, policySchema, true)
      .map((i) => i.message)
      .join("; "),
  };
}

export function parsePolicyText(text: string | undefined, file = POLICY_FILE): ParsedConfig<Policy> {
  return parseYamlConfig(text ?? "", file, policySchema);
}

export const DEFAULT_POLICY: Policy = policySchema.parse({});
export const DEFAULT_CONTAINER_CONFIG: ContainerConfig = containerConfigSchema.parse({});

/** The arches to build: the policy's arches, filtered by container.yaml's `platforms.only` / `platforms.not`. */
export function plannedArches(config: ContainerConfig, policy: Policy): Arch[] {
  const only = config.platforms.only ? new Set(config.platforms.only) : undefined;
  const not = new Set(config.platforms.not ?? []);
  return sortArches(policy.arches.filter((a) => (!only || only.has(a)) && !not.has(a)));
}

export function runnerLabels(policy: Policy, arch: Arch): string[] {
  return policy.runner_labels[arch] ?? ["self-hosted", "linux", arch];
}

/** Explains why plannedArches came out empty, for a failing check. */
export function explainNoArches(config: ContainerConfig, policy: Policy): Finding | undefined {
  if (plannedArches(config, policy).length > 0) return undefined;
  return {
    rule: "config-schema",
    severity: "error",
    file: CONTAINER_CONFIG_FILE,
    line: 1,
    column: 1,
    message: `platforms leaves no arch to build (policy builds ${policy.arches.join(", ")})`,
  };
}

/** JSON Schemas for editors, generated from the same zod source the code validates with. */
export function jsonSchemas(): { container: object; policy: object } {
  return {
    container: { title: "flibs container.yaml", ...z.toJSONSchema(containerConfigSchema, { io: "input" }) },
    policy: { title: "flibs organisation policy (.github/flibs.yml)", ...z.toJSONSchema(policySchema, { io: "input" }) },
  };
}

export const ALL_ARCHES = ARCHES;
