/** Installed packages of an image, name -> version, read from its package database. */
export type PackageSet = Map<string, string>;

/**
 * dpkg's `var/lib/dpkg/status`: paragraphs of `Field: value`. Only installed packages count; the name
 * keeps its `:arch` qualifier off so that `libc6` is comparable across arches.
 */
export function parseDpkgStatus(text: string): PackageSet {
  const out: PackageSet = new Map();
  for (const para of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of para.split("\n")) {
      const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
      if (m) fields.set(m[1]!.toLowerCase(), m[2]!.trim());
    }
    const name = fields.get("package");
    const version = fields.get("version");
    const status = fields.get("status") ?? "";
    if (name && version && /\binstalled$/.test(status)) out.set(name, version);
  }
  return out;
}

/** The query format flibs runs rpm with; `parseRpmQuery` reads its output. */
export const RPM_QUERY_FORMAT = "%{NAME}\\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\\n";

export function rpmQueryArgs(root: string): string[] {
  return ["--root", root, "-qa", "--qf", RPM_QUERY_FORMAT];
}

/** Output of `rpm -qa --qf '%{NAME}\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\n'`; epoch 0 is dropped. `gpg-pubkey` is not a package. */
export function parseRpmQuery(text: string): PackageSet {
  const out: PackageSet = new Map();
  for (const line of text.split("\n")) {
    const [name, evr] = line.trim().split("\t");
    if (!name || !evr || name === "gpg-pubkey") continue;
    out.set(name, evr.replace(/^0:/, ""));
  }
  return out;
}

/** apk's `lib/apk/db/installed`: records of `K:value` lines, `P:` name, `V:` version. */
export function parseApkInstalled(text: string): PackageSet {
  const out: PackageSet = new Map();
  for (const rec of text.split(/\n\s*\n/)) {
    let name: string | undefined;
    let version: string | undefined;
    for (const line of rec.split("\n")) {
      if (line.startsWith("P:")) name = line.slice(2).trim();
      else if (line.startsWith("V:")) version = line.slice(2).trim();
    }
    if (name && version) out.set(name, version);
  }
  return out;
}

/** Where each package database lives inside an image's root filesystem (without the leading slash). */
export const PACKAGE_DB_PATHS = {
  dpkg: "var/lib/dpkg/status",
  apk: "lib/apk/db/installed",
  rpm: ["var/lib/rpm", "usr/lib/sysimage/rpm"],
} as const;

export type PackageDbKind = "dpkg" | "apk" | "rpm";
