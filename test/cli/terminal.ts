/**
 * The screen a terminal shows after some output, for the escape sequences flibs' progress uses (CSI n A
 * cursor up, CSI 2K clear line, CSI J clear to end of screen, CR, LF), so a test reads what a user sees
 * instead of matching escape codes. Other CSI sequences are refused: the test must know every one used.
 */
export function screen(output: string): string[] {
  const lines: string[] = [""];
  let row = 0;
  let col = 0;
  for (let i = 0; i < output.length; i++) {
    const c = output[i]!;
    if (c === "\x1b") {
      const m = /^\x1b\[(\d*)([A-Za-z])/.exec(output.slice(i));
      if (!m) throw new Error(`unknown escape at ${i}: ${JSON.stringify(output.slice(i, i + 8))}`);
      const n = m[1] === "" ? 1 : Number(m[1]);
      if (m[2] === "A") row = Math.max(0, row - n);
      else if (m[2] === "K" && m[1] === "2") lines[row] = "";
      else if (m[2] === "J") {
        lines.splice(row + 1);
        lines[row] = lines[row]!.slice(0, col);
      } else throw new Error(`unexpected escape ${JSON.stringify(m[0])}`);
      i += m[0].length - 1;
    } else if (c === "\r") col = 0;
    else if (c === "\n") {
      row++;
      col = 0;
      if (lines.length <= row) lines.push("");
    } else {
      const line = lines[row]!;
      lines[row] = line.slice(0, col) + c + line.slice(col + 1);
      col++;
    }
  }
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}
