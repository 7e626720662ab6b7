import { inlineCode } from "../markdown.js";
import { isArch, type Arch } from "../platform.js";

export type Command =
  | { name: "build"; scratch: boolean }
  | { name: "retest"; arches: Arch[] }
  | { name: "ok-to-test"; sha?: string }
  | { name: "cancel" }
  | { name: "promote" }
  | { name: "help" };

export type CommandName = Command["name"];
export const COMMAND_NAMES: readonly CommandName[] = ["build", "retest", "ok-to-test", "cancel", "promote", "help"];

export interface ParsedComment {
  commands: Command[];
  /** Lines that looked like a command but are not one flibs knows, or had bad arguments: each explained, as safe markdown (echoed text is inline code). */
  problems: string[];
}

/** More than this many commands in one comment is abuse or a paste accident; the rest are ignored. */
const MAX_COMMANDS = 10;
const MAX_BODY = 65_536;

/**
 * Reads slash-commands from a PR comment: one per line, at the start of the line, outside code blocks and
 * quotes (quoting someone's `/promote` must not promote). Duplicates collapse; order is kept.
 */
export function parseComment(body: string | null | undefined): ParsedComment {
  const commands: Command[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  // The open code fence, as CommonMark reads it: only a run of the same character, at least as long and with
  // nothing after it, closes it (a ``` line inside a ~~~ block is text).
  let fence: { char: string; length: number } | undefined;
  for (const raw of (body ?? "").slice(0, MAX_BODY).split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    const marker = /^(`{3,}|~{3,})(.*)$/.exec(line);
    if (marker) {
      const run = marker[1]!;
      const rest = marker[2]!;
      if (!fence) {
        // An opening backtick fence cannot have a backtick in its info string (that line is inline code).
        if (!(run.startsWith("`") && rest.includes("`"))) fence = { char: run[0]!, length: run.length };
        continue;
      }
      if (run.startsWith(fence.char) && run.length >= fence.length && rest.trim() === "") {
        fence = undefined;
        continue;
      }
    }
    if (fence || !line.startsWith("/")) continue;
    const [word = "", ...args] = line.slice(1).split(/\s+/);
    if (!/^[a-z][a-z0-9-]*$/i.test(word)) continue; // a path like /usr/bin is not a command
    const parsed = parseOne(word.toLowerCase(), args);
    if ("problem" in parsed) {
      problems.push(parsed.problem);
      continue;
    }
    const key = JSON.stringify(parsed);
    if (seen.has(key)) continue;
    if (commands.length >= MAX_COMMANDS) {
      problems.push(`only the first ${MAX_COMMANDS} commands of a comment are run`);
      break;
    }
    seen.add(key);
    commands.push(parsed);
  }
  return { commands, problems };
}

function parseOne(word: string, args: string[]): Command | { problem: string } {
  const shown = code(`/${word}`);
  switch (word) {
    case "build": {
      const unknown = args.filter((a) => a !== "--scratch");
      if (unknown.length) return { problem: `${shown} takes only \`--scratch\`, not ${code(unknown.join(" "))}` };
      return { name: "build", scratch: args.includes("--scratch") };
    }
    case "retest": {
      const bad = args.filter((a) => !isArch(a));
      if (bad.length) return { problem: `${shown}: ${code(bad.join(" "))} is not an arch (x86_64, aarch64, ppc64le, s390x)` };
      return { name: "retest", arches: [...new Set(args as Arch[])] };
    }
    case "ok-to-test": {
      // `/ok-to-test <sha>`: the commit the reviewer read, so a push while they type is not approved with it.
      if (args.length === 0) return { name: "ok-to-test" };
      if (args.length === 1 && /^[0-9a-f]{7,40}$/i.test(args[0]!)) return { name: "ok-to-test", sha: args[0]!.toLowerCase() };
      return { problem: `${shown} takes at most one commit SHA (7 to 40 hex digits), not ${code(args.join(" "))}` };
    }
    case "cancel":
    case "promote":
    case "help":
      if (args.length) return { problem: `${shown} takes no arguments` };
      return { name: word };
    default:
      return { problem: `${shown} is not a flibs command` };
  }
}

/** Comment text echoed back in a reply: cut short, shown verbatim as inline code (no markup, links or mentions). */
function code(s: string): string {
  return inlineCode(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}
