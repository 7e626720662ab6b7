/** What dnf, dnf5, yum and microdnf calls in a RUN do: change packages, fill the cache, clean it. */
import { basename, simpleCommands, type SimpleCommand, type Word } from "./shell.js";

export const PACKAGE_MANAGERS = new Set(["dnf", "dnf5", "dnf-3", "yum", "microdnf"]);

/** Options that take the next word as their value when written without `=` (dnf 4, dnf5, yum, microdnf). */
const VALUE_OPTIONS = new Set([
  "-c",
  "--config",
  "--installroot",
  "--releasever",
  "--repo",
  "--repoid",
  "--enablerepo",
  "--disablerepo",
  "--enable-repo",
  "--disable-repo",
  "-x",
  "--exclude",
  "--setopt",
  "--setvar",
  "--forcearch",
  "--downloaddir",
  "--destdir",
  "--repofrompath",
  "--color",
  "--rpmverbosity",
  "-d",
  "--debuglevel",
  "-e",
  "--errorlevel",
  "--comment",
  "--disableplugin",
  "--enableplugin",
  "--disable-plugin",
  "--enable-plugin",
  "--advisory",
  "--advisories",
  "--cve",
  "--bz",
  "--sec-severity",
]);

/** Command aliases of dnf 4 (`dnf help`), dnf5 (`dnf5 --help`) and yum, to the command they stand for. */
const ALIASES: Readonly<Record<string, string>> = {
  in: "install",
  localinstall: "install",
  rei: "reinstall",
  up: "upgrade",
  update: "upgrade",
  "up-min": "upgrade-minimal",
  "update-minimal": "upgrade-minimal",
  rm: "remove",
  erase: "remove",
  dg: "downgrade",
  dsync: "distro-sync",
  distrosync: "distro-sync",
  "distribution-synchronization": "distro-sync",
  groupinstall: "group install",
  groupupdate: "group upgrade",
  groupremove: "group remove",
  grouperase: "group remove",
  mc: "makecache",
};

/** Commands that change the installed packages, so ask for confirmation without `-y`. */
const CHANGING = new Set([
  "install",
  "reinstall",
  "upgrade",
  "upgrade-minimal",
  "downgrade",
  "remove",
  "autoremove",
  "distro-sync",
  "swap",
  "builddep",
  "group install",
  "group upgrade",
  "group update",
  "group remove",
  "group erase",
  "module install",
  "module enable",
  "module disable",
  "module reset",
  "module remove",
  "module switch-to",
  "module update",
  "module upgrade",
  "history undo",
  "history redo",
  "history rollback",
]);

/** Commands that download packages (and repository metadata) into the cache. */
const INSTALLING = new Set([
  "install",
  "reinstall",
  "upgrade",
  "upgrade-minimal",
  "downgrade",
  "distro-sync",
  "swap",
  "builddep",
  "group install",
  "group upgrade",
  "group update",
  "module install",
  "module update",
  "module upgrade",
  "history undo",
  "history redo",
  "history rollback",
]);

export interface PackageManagerCall {
  tool: string;
  /** The first word that is not an option (or an option's value), as written: `install`, `in`, `clean`. */
  subcommand: string;
  /** The word after the subcommand (e.g. `all` in `clean all`). */
  argument: string;
  /** What the call does, aliases resolved: `install`, `upgrade`, `group install`, `clean`. */
  action: string;
  words: Word[];
  /** Position of the call among the RUN's simple commands, to tell what runs before what. */
  index: number;
}

/** dnf/yum/microdnf invocations in a command line, in the order they run. */
export function packageManagerCalls(text: string): PackageManagerCall[] {
  return simpleCommands(text).flatMap((cmd, index) => {
    const call = toCall(cmd, index);
    return call ? [call] : [];
  });
}

function toCall(cmd: SimpleCommand, index: number): PackageManagerCall | undefined {
  const first = cmd.words[0];
  if (!first) return undefined;
  const tool = basename(first.value);
  if (!PACKAGE_MANAGERS.has(tool)) return undefined;
  const operands: string[] = [];
  for (let i = 1; i < cmd.words.length; i++) {
    const w = cmd.words[i]?.value ?? "";
    if (w.startsWith("-")) {
      if (VALUE_OPTIONS.has(w)) i++;
      continue;
    }
    operands.push(w);
  }
  const subcommand = operands[0] ?? "";
  const argument = operands[1] ?? "";
  const command = ALIASES[subcommand] ?? subcommand;
  const action = command === "group" || command === "module" || command === "history" ? `${command} ${argument}` : command;
  return { tool, subcommand, argument, action, words: cmd.words, index };
}

export const changesPackages = (call: PackageManagerCall): boolean => CHANGING.has(call.action);
export const installsPackages = (call: PackageManagerCall): boolean => INSTALLING.has(call.action);

/**
 * A package cache directory, or all of /var/cache: dnf5's /var/cache/libdnf5 (Fedora 41 and later), dnf 4's
 * /var/cache/dnf, yum's and microdnf's /var/cache/yum, with or without a trailing `/` or `*`.
 */
const CACHE_PATH = /^\/var\/cache(?:\/(?:\*|(?:dnf|yum|libdnf5)(?:[/*].*)?))?\/?$/;

/** `dnf clean all` (any of the tools), or `rm` of a package cache directory. */
export function cleansCache(cmd: SimpleCommand): boolean {
  const tool = basename(cmd.words[0]?.value ?? "");
  if (tool === "rm") return cmd.words.slice(1).some((w) => CACHE_PATH.test(w.value));
  const call = toCall(cmd, 0);
  return call?.action === "clean" && call.argument === "all";
}

/** A RUN flag that puts the package cache on a cache or tmpfs mount, so it never reaches the layer. */
export function mountsCache(flag: string): boolean {
  const m = /^--mount=(.*)$/.exec(flag);
  if (!m) return false;
  const options = new Map(
    (m[1] ?? "").split(",").map((kv) => {
      const eq = kv.indexOf("=");
      return eq < 0 ? [kv, ""] : [kv.slice(0, eq), kv.slice(eq + 1).replace(/^(["'])(.*)\1$/, "$2")];
    }),
  );
  const type = options.get("type") ?? "bind";
  const target = options.get("target") ?? options.get("dst") ?? options.get("destination") ?? "";
  return (type === "cache" || type === "tmpfs") && CACHE_PATH.test(target);
}
