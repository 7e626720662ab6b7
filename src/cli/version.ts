import { readFileSync } from "node:fs";

/** flibs' own version: the nearest package.json named `flibs` above this file (dist/cli or the bundle). */
export function readVersion(): string {
  for (let url = new URL("./", import.meta.url), i = 0; i < 5; url = new URL("../", url), i++) {
    try {
      const pkg = JSON.parse(readFileSync(new URL("package.json", url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "flibs" && pkg.version) return pkg.version;
    } catch {
      // not here; look one level up
    }
  }
  return "0.0.0";
}
