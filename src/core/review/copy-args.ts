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
        for (const v of list) words.push({ value: v, offset });
      }
    } catch {
      // fall through to the shell form
    }
  }
  // Shell form: Docker splits at blanks, then removes the shell's quotes from each word.
  if (words.length === 0) for (const m of text.matchAll(/\S+/g)) words.push(unquote(m[0], m.index));
  const flags: string[] = [];
  while (words[0]?.value.startsWith("--")) flags.push((words.shift() as { value: string }).value);
  const dest = words.length > 1 ? (words.pop() as { value: string }).value : "";
  return { flags, sources: words, dest };
}

function unquote(word: string, offset: number): { value: string; offset: number } {
  const value = word.replace(/(["'])(.*?)\1/g, "$2");
  return { value, offset: /^["']/.test(word) && value !== word ? offset + 1 : offset };
}

export const isUrl = (s: string): boolean => /^(https?|ftp|git):\/\//i.test(s) || /^git@[^:]+:/.test(s);

/**
 * Files ADD unpacks: tar archives, plain or compressed with gzip, bzip2, xz or zstd (what Docker and Buildah
 * detect), named by their usual extensions. A bare `.gz` may hold a tar too, so it gets the benefit of the doubt.
 */
export const isLocalArchive = (s: string): boolean => /\.(tar|tgz|tbz2?|txz|tzst|gz|bz2|xz|zst)$/i.test(s);
