/**
 * The end of a tool's output as a terminal would have shown it (colour and other escape sequences dropped, a line
 * rewritten after a carriage return shown as rewritten), for `codeBlock` (src/core/markdown.ts) to fence.
 */

/** ECMA-48 escape sequences: CSI (`ESC [ ... final`), OSC (`ESC ] ... BEL` or `ESC \`), and two-byte escapes. */
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u009b[0-?]*[ -/]*[@-~]|\u001b[@-Z\\-_]|\u001b/g;
/** Control characters other than tab and line feed (C0, DEL, C1). */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
/**
 * Characters that change how text reads without showing (zero-width, bidirectional overrides): shown as U+FFFD,
 * so a copied line carries nothing the reader did not see.
 */
const INVISIBLE = /[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/** Longest line kept: a minified file is cut, not pasted whole; a tool's error line (often long) is kept. */
export const MAX_LINE = 2000;

/** Output as a terminal would have shown it: escapes and control characters out, `\r` rewrites applied. */
export function cleanOutput(text: string): string {
  return text
    .replace(ESCAPES, "")
    .replace(/\r\n/g, "\n")
    .split("\n")
    .map((line) => {
      // What follows the last carriage return overwrote the line (progress meters).
      const parts = line.split("\r").filter((p) => p.length > 0);
      const shown = (parts.pop() ?? "").replace(CONTROL, "").replace(INVISIBLE, "\ufffd").replace(/\s+$/, "");
      return shown.length > MAX_LINE ? `${shown.slice(0, MAX_LINE - 1)}…` : shown;
    })
    .join("\n");
}

/** The last `count` lines of cleaned output (blank lines at either end dropped), and how many came before them. */
export function outputTail(text: string, count = 20): { lines: string[]; omitted: number } {
  const lines = cleanOutput(text).split("\n");
  while (lines.length && lines[lines.length - 1] === "") lines.pop();
  while (lines.length && lines[0] === "") lines.shift();
  const tail = lines.slice(-count);
  return { lines: tail, omitted: lines.length - tail.length };
}

/**
 * The cause at the end of a Go-style error chain (`Error: pushing image ...: checking ...: unauthorized:
 * authentication required` -> `unauthorized: authentication required`): containers/image and buildah wrap each
 * error in the context that saw it, so the last two parts are the registry's or the system's own words.
 */
export function rootCause(line: string): string {
  const parts = line.replace(/^Error: /, "").split(": ");
  return parts.length > 2 ? parts.slice(-2).join(": ") : parts.join(": ");
}
