import { ARCHES, type Arch } from "../platform.js";
import type { PackageSet } from "./packages.js";

export interface ComponentDrift {
  name: string;
  /** Version per arch that has the package, in the fixed arch order. */
  versions: Partial<Record<Arch, string>>;
}

/**
 * OSBS's compare_components: every package installed on two or more arches whose version is not the same
 * everywhere. A package present on one arch only is arch-specific (firmware, bootloaders), not drift.
 */
export function compareComponents(perArch: ReadonlyMap<Arch, PackageSet>): ComponentDrift[] {
  const arches = ARCHES.filter((a) => perArch.has(a));
  const names = new Set<string>();
  for (const a of arches) for (const n of perArch.get(a)!.keys()) names.add(n);
  const drift: ComponentDrift[] = [];
  for (const name of [...names].sort()) {
    const versions: Partial<Record<Arch, string>> = {};
    for (const a of arches) {
      const v = perArch.get(a)!.get(name);
      if (v !== undefined) versions[a] = v;
    }
    const distinct = new Set(Object.values(versions));
    if (Object.keys(versions).length >= 2 && distinct.size > 1) drift.push({ name, versions });
  }
  return drift;
}
