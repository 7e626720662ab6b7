import type { Permission } from "./config/policy.js";

const RANK: Record<Permission | "none", number> = { none: 0, read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

/**
 * The repository role GitHub reports for a user. `GET /repos/{o}/{r}/collaborators/{u}/permission` returns the
 * legacy `permission` (admin/write/read/none) and the finer `role_name` (admin/maintain/write/triage/read, or a
 * custom role's name); custom roles inherit from a base role we cannot see here, so they count as the legacy value.
 */
export function effectivePermission(response: { permission?: string | null; role_name?: string | null }): Permission | "none" {
  const role = response.role_name ?? undefined;
  if (role && role in RANK) return role as Permission | "none";
  const legacy = response.permission ?? "none";
  return legacy in RANK ? (legacy as Permission | "none") : "none";
}

export function hasAtLeast(actual: Permission | "none", needed: Permission): boolean {
  return RANK[actual] >= RANK[needed];
}

/** The weaker of two permissions: a fork head is only as trusted as the least trusted of its author and its pusher. */
export function weakest(a: Permission | "none", b: Permission | "none"): Permission | "none" {
  return RANK[a] <= RANK[b] ? a : b;
}
