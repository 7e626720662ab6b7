/** A light reading of a shell command line, enough to find package-manager calls and pipes in RUN. */

export interface Word {
  value: string;
  /** Offset of the word in the command text. */
  offset: number;
}

export interface SimpleCommand {
  /** Words after leading `VAR=value` assignments and wrappers (`sudo`, `env`, `exec`, `time`, `nice`). */
  words: Word[];
  /** What joined this command to the next one: `|`, `&&`, `||`, `;`, newline, or "" at the end. */
  next: string;
}

const WRAPPERS = new Set(["sudo", "env", "exec", "time", "nice", "nohup", "command"]);

/** Splits on `;`, `&&`, `||`, `|`, `&`, newlines and parentheses; respects quotes (no expansion). */
export function simpleCommands(text: string): SimpleCommand[] {
  const out: SimpleCommand[] = [];
  let words: Word[] = [];
  let cur = "";
  let curStart = -1;
  const endWord = () => {
    if (curStart >= 0) words.push({ value: cur, offset: curStart });
    cur = "";
    curStart = -1;
  };
  const endCommand = (sep: string) => {
    endWord();
    let i = 0;
    while (i < words.length) {
      const w = words[i]?.value ?? "";
      if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) || WRAPPERS.has(w) || (i > 0 && WRAPPERS.has(words[i - 1]?.value ?? "") && w.startsWith("-"))) i++;
      else break;
    }
    const rest = words.slice(i);
    if (rest.length > 0) out.push({ words: rest, next: sep });
    words = [];
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === "'" || ch === '"') {
      const close = text.indexOf(ch, i + 1);
      const end = close < 0 ? text.length : close;
      if (curStart < 0) curStart = i;
      cur += text.slice(i + 1, end);
      i = end;
      continue;
    }
    if (ch === "\\" && i + 1 < text.length) {
      if (curStart < 0) curStart = i;
      cur += text[i + 1];
      i++;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === "&&" || two === "||") {
      endCommand(two);
      i++;
    } else if (ch === ";" || ch === "|" || ch === "&" || ch === "\n" || ch === "(" || ch === ")" || ch === "`") {
      endCommand(ch);
    } else if (ch === " " || ch === "\t" || ch === "\r") {
      endWord();
    } else {
      if (curStart < 0) curStart = i;
      cur += ch;
    }
  }
  endCommand("");
  return out;
}

export function basename(word: string): string {
  return word.slice(word.lastIndexOf("/") + 1);
}

export const PACKAGE_MANAGERS = new Set(["dnf", "dnf5", "yum", "microdnf"]);

export interface PackageManagerCall {
  tool: string;
  /** The first word that is not an option, e.g. `install`, `clean`. */
  subcommand: string;
  /** The word after the subcommand (e.g. `all` in `clean all`). */
  argument: string;
  words: Word[];
}

/** dnf/yum/microdnf invocations in a command line. */
export function packageManagerCalls(text: string): PackageManagerCall[] {
  const calls: PackageManagerCall[] = [];
  for (const cmd of simpleCommands(text)) {
    const first = cmd.words[0];
    if (!first) continue;
    const tool = basename(first.value);
    if (!PACKAGE_MANAGERS.has(tool)) continue;
    const rest = cmd.words.slice(1).filter((w) => !w.value.startsWith("-"));
    calls.push({ tool, subcommand: rest[0]?.value ?? "", argument: rest[1]?.value ?? "", words: cmd.words });
  }
  return calls;
}

/** Subcommands that change the installed package set (and so prompt without `-y`, and fill the cache). */
export const CHANGING_SUBCOMMANDS = new Set([
  "install", "reinstall", "update", "upgrade", "downgrade", "remove", "erase", "autoremove", "groupinstall",
  "groupupdate", "group", "module", "builddep", "distro-sync", "distrosync", "swap", "localinstall", "update-minimal",
  "upgrade-minimal",
]);

/** Subcommands that download packages into the cache (what `clean all` is for). */
export const INSTALLING_SUBCOMMANDS = new Set([
  "install", "reinstall", "update", "upgrade", "downgrade", "groupinstall", "groupupdate", "group", "module",
  "builddep", "distro-sync", "distrosync", "swap", "localinstall", "update-minimal", "upgrade-minimal",
]);

const GROUP_CHANGING = new Set(["install", "update", "upgrade", "remove", "erase"]);
const MODULE_CHANGING = new Set(["install", "enable", "disable", "reset", "remove", "switch-to", "update"]);

export function changesPackages(call: PackageManagerCall): boolean {
  if (call.subcommand === "group") return GROUP_CHANGING.has(call.argument);
  if (call.subcommand === "module") return MODULE_CHANGING.has(call.argument);
  return CHANGING_SUBCOMMANDS.has(call.subcommand);
}

export function installsPackages(call: PackageManagerCall): boolean {
  if (call.subcommand === "group") return call.argument === "install" || call.argument === "update" || call.argument === "upgrade";
  if (call.subcommand === "module") return call.argument === "install" || call.argument === "update";
  return INSTALLING_SUBCOMMANDS.has(call.subcommand);
}
