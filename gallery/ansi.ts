/** SGR codes flibs' terminal output uses, as CSS; anything else is dropped (the text stays). */
const STYLE: Record<string, string> = {
  "1": "font-weight:bold",
  "2": "opacity:.65",
  "31": "color:#ff7b72",
  "32": "color:#7ee787",
  "33": "color:#e3b341",
  "34": "color:#79c0ff",
  "36": "color:#56d4dd",
};

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Terminal output with ANSI colour escapes as HTML spans (for a `<pre>`). */
export function ansiToHtml(text: string): string {
  let out = "";
  let open = false;
  let last = 0;
  for (const m of text.matchAll(/\u001b\[([0-9;]*)m/g)) {
    out += escapeHtml(text.slice(last, m.index));
    last = m.index + m[0].length;
    if (open) out += "</span>";
    open = false;
    const css = (m[1] ?? "")
      .split(";")
      .map((c) => STYLE[c])
      .filter(Boolean);
    if (css.length > 0) {
      out += `<span style="${css.join(";")}">`;
      open = true;
    }
  }
  out += escapeHtml(text.slice(last));
  return open ? `${out}</span>` : out;
}
