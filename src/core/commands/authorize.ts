import type { Policy, Permission } from "../config/policy.js";
import { hasAtLeast } from "../permissions.js";
import type { Command } from "./parse.js";

export type Authorization = { allowed: true } | { allowed: false; reason: string };

export function requiredPermission(command: Command, policy: Policy): Permission | undefined {
  switch (command.name) {
    case "help":
      return undefined;
    case "promote":
      return policy.promote.permission;
    default:
      return policy.build.permission;
  }
}

/** Decides from the commenter's repository permission alone (never author_association). */
export function authorize(command: Command, actor: string, permission: Permission | "none", policy: Policy): Authorization {
  const needed = requiredPermission(command, policy);
  if (!needed || hasAtLeast(permission, needed)) return { allowed: true };
  return {
    allowed: false,
    reason: `@${actor} has ${permission} access; \`/${command.name}\` needs ${needed} access to this repository`,
  };
}
