/** A light reading of a shell command line, enough to find package-manager calls and pipes in RUN. */

export interface Word {
  value: string;
  /** Offset of the word in the command text. */
  offset: number;
}

export interface SimpleCommand {
  /** Words after leading `VAR=value` assignments, wrappers (`sudo`, `env`, `exec`, `time`, `nice`) and `then`, `do`, .... */
  words: Word[];
  /** What joined this command to the next one: `|`, `&&`, `||`, `;`, newline, or "" at the end. */
  next: string;
}

const WRAPPERS = new Set(["sudo", "env", "exec", "time", "nice", "nohup", "command"]);
/** Shell words that may stand before a command (`if dnf ...`, `then dnf ...`, `do dnf ...`, `! grep ...`). */
const RESERVED = new Set(["if", "then", "else", "elif", "do", "while", "until", "!", "{"]);

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
      if (
        /^[A-Za-z_][A-Za-z0-9_]*=/.test(w) ||
        WRAPPERS.has(w) ||
        RESERVED.has(w) ||
        (i > 0 && WRAPPERS.has(words[i - 1]?.value ?? "") && w.startsWith("-"))
      )
        i++;
      else break;
    }
    const rest = words.slice(i);
    if (rest.length > 0) out.push({ words: rest, next: sep });
    words = [];
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
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
      cur += text[i + 1]!;
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
