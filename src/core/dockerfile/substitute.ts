/**
 * Docker's variable substitution in instruction arguments: `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR:+word}`.
 * Unknown variables become empty strings, as in Docker, and are reported so rules can say "cannot check".
 */
export function substitute(text: string, vars: ReadonlyMap<string, string>, escape = "\\"): { value: string; unresolved: string[] } {
  const unresolved: string[] = [];
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === escape && text[i + 1] === "$") {
      out += "$";
      i++;
      continue;
    }
    if (ch !== "$") {
      out += ch;
      continue;
    }
    const braced = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}/.exec(text.slice(i));
    const bare = braced ? null : /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(i));
    const m = braced ?? bare;
    if (!m) {
      out += ch;
      continue;
    }
    const name = m[1]!;
    const value = vars.get(name);
    const op = braced?.[2];
    const word = braced?.[3] ?? "";
    if (op?.endsWith("-")) out += value === undefined || (op === ":-" && value === "") ? word : value;
    else if (op?.endsWith("+")) out += value === undefined || (op === ":+" && value === "") ? "" : word;
    else if (value === undefined) unresolved.push(name);
    else out += value;
    i += m[0].length - 1;
  }
  return { value: out, unresolved };
}
