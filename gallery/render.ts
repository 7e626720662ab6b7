import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";
import { ansiToHtml } from "./ansi.js";
import type { MarkdownScreen, Scenario, Screen } from "./types.js";

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** GitHub's Markdown styles (the github-markdown-css package), inlined so a page is one file. */
function githubCss(): string {
  const require = createRequire(import.meta.url);
  return readFileSync(require.resolve("github-markdown-css/github-markdown-light.css"), "utf8");
}

const PAGE_CSS = `
body { margin: 0; background: #f6f8fa; font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: #1f2328; }
main { max-width: 1012px; margin: 0 auto; padding: 24px 16px 48px; }
h1.gallery { font-size: 24px; margin: 0 0 8px; }
section.scenario > h2 { font-size: 20px; margin: 32px 0 12px; padding-bottom: 6px; border-bottom: 1px solid #d1d9e0; }
.screen { background: #fff; border: 1px solid #d1d9e0; border-radius: 6px; margin: 0 0 20px; overflow: hidden; }
.screen > .label { font-size: 12px; color: #59636e; padding: 6px 16px; background: #f6f8fa; border-bottom: 1px solid #d1d9e0; }
.screen > .check-head { padding: 12px 16px; border-bottom: 1px solid #d1d9e0; }
.check-head .name { font-weight: 600; font-size: 14px; }
.check-head .title { font-size: 20px; font-weight: 400; margin-top: 4px; }
.check-head .badge { display: inline-block; width: 16px; text-align: center; margin-right: 6px; }
.screen > .markdown-body { padding: 16px; font-size: 14px; }
.annotations { border-top: 1px solid #d1d9e0; padding: 8px 16px; font-size: 12px; }
.annotations li { margin: 2px 0; }
.annotations .path { font-family: ui-monospace, SFMono-Regular, "DejaVu Sans Mono", Menlo, monospace; }
pre.terminal { margin: 0; padding: 12px 16px; background: #0d1117; color: #e6edf3; font: 13px/1.45 ui-monospace, "DejaVu Sans Mono", Menlo, monospace; white-space: pre-wrap; }
pre.terminal .prompt { color: #7ee787; }
`;

const BADGE: Record<string, string> = {
  success: "✅",
  failure: "❌",
  neutral: "⚪",
  cancelled: "⊘",
  action_required: "⚠️",
  skipped: "⏭",
  queued: "🟡",
  in_progress: "🟡",
};

/**
 * Renders markdown as GitHub does (CommonMark + GFM); raw HTML is kept escaped, as GitHub's sanitiser would drop
 * it, and HTML comments (flibs' markers) are hidden, as GitHub hides them.
 */
export function markdownToHtml(md: string): string {
  return micromark(md, { extensions: [gfm()], htmlExtensions: [gfmHtml()] }).replace(/&lt;!--[\s\S]*?--&gt;/g, "");
}

function screenHtml(screen: Screen): string {
  if (screen.kind === "terminal") {
    return `<div class="screen"><div class="label">terminal: ${escapeHtml(screen.title)}</div><pre class="terminal"><span class="prompt">$ ${escapeHtml(screen.command)}</span>\n${ansiToHtml(screen.text)}</pre></div>`;
  }
  return `<div class="screen"><div class="label">${screen.kind}: ${escapeHtml(screen.title)}</div>${checkHead(screen)}<article class="markdown-body">${markdownToHtml(screen.markdown)}</article>${annotations(screen)}</div>`;
}

function checkHead(screen: MarkdownScreen): string {
  if (!screen.check) return "";
  const c = screen.check;
  return `<div class="check-head"><div class="name"><span class="badge">${BADGE[c.conclusion] ?? "•"}</span>${escapeHtml(c.name)}</div><div class="title">${escapeHtml(c.title)}</div></div>`;
}

function annotations(screen: MarkdownScreen): string {
  const list = screen.check?.annotations ?? [];
  if (list.length === 0) return "";
  const shown = list
    .slice(0, 5)
    .map(
      (a) =>
        `<li><b>${escapeHtml(a.annotation_level)}</b> <span class="path">${escapeHtml(a.path)}#L${a.start_line}</span> ${escapeHtml(a.title ?? "")}: ${escapeHtml(a.message)}</li>`,
    );
  const more = list.length > shown.length ? `<li>… ${list.length - shown.length} more annotations</li>` : "";
  return `<div class="annotations">Annotations (${list.length})<ul>${shown.join("")}${more}</ul></div>`;
}

export function scenarioHtml(scenario: Scenario, screens: readonly Screen[]): string {
  return `<section class="scenario" id="${escapeHtml(scenario.id)}"><h2>${escapeHtml(scenario.title)}</h2>${screens.map(screenHtml).join("\n")}</section>`;
}

/** One HTML page: GitHub's Markdown styles, a heading per scenario, a box per screen. */
export function page(title: string, sections: readonly string[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>${githubCss()}${PAGE_CSS}</style></head>
<body><main><h1 class="gallery">${escapeHtml(title)}</h1>
${sections.join("\n")}
</main></body></html>
`;
}
