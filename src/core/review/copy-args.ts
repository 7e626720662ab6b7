import type { DockerInstruction } from "../dockerfile/index.js";

export interface CopyArgs {
  flags: string[];
  sources: Array<{ value: string; offset: number }>;
  dest: string;
}

/** Splits ADD/COPY arguments into flags, sources and destination (shell or JSON form). */
export function copyArgs(ins: DockerInstruction): CopyArgs {
  const words: Array<{ value: string; offset: number }> = [];
  const text = ins.args;
  const trimmed = text.trimStart();
  if (trimmed.startsWith("[")) {
    try {
      const list: unknown = JSON.parse(trimmed);
      if (Array.isArray(list) && list.every((x) => typeof x === "string")) {
        const offset = text.length - trimmed.length;
        for (const v of list as string[]) words.push({ value: v, offset });
      }
    } catch {
      // fall through to the shell form
    }
  }
  if (words.length === 0) for (const m of text.matchAll(/\S+/g)) words.push({ value: m[0], offset: m.index });
  const flags: string[] = [];
  while (words[0]?.value.startsWith("--")) flags.push((words.shift() as { value: string }).value);
  const dest = words.length > 1 ? (words.pop() as { value: string }).value : "";
  return { flags, sources: words, dest };
}

export const isUrl = (s: string): boolean => /^(https?|ftp|git):\/\//i.test(s) || /^git@[^:]+:/.test(s);

/** Files ADD unpacks (tar, optionally compressed): the one case where ADD does what COPY cannot. */
export const isLocalArchive = (s: string): boolean => /\.(tar|tar\.(gz|bz2|xz|zst)|tgz|tbz2?|txz|tzst)$/i.test(s);
