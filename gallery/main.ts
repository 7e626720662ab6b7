/**
 * `npm run gallery`: renders every screen of every scenario (gallery/scenarios/) from flibs' real renderers into
 * gallery-out/index.html, one page per scenario beside it, and a PNG per scenario where Debian's Chromium is
 * installed (/usr/bin/chromium, or CHROMIUM=path), so a reviewer sees every screen at once.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { page, scenarioHtml } from "./render.js";
import { SCENARIOS } from "./scenarios/index.js";

const WIDTH = 1060;

async function run(outDir: string): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const sections: string[] = [];
  const pages: Array<{ id: string; file: string }> = [];
  for (const scenario of SCENARIOS) {
    const section = scenarioHtml(scenario, await scenario.screens());
    sections.push(section);
    const file = join(outDir, `${scenario.id}.html`);
    writeFileSync(file, page("flibs gallery", [section]));
    pages.push({ id: scenario.id, file });
  }
  writeFileSync(join(outDir, "index.html"), page("flibs: every screen", sections));
  console.log(`gallery: ${SCENARIOS.length} scenarios -> ${join(outDir, "index.html")}`);

  const chromium = process.env.CHROMIUM ?? "/usr/bin/chromium";
  if (!existsSync(chromium)) {
    console.log(`gallery: no Chromium at ${chromium}: HTML only (apt-get install chromium for PNGs)`);
    return;
  }
  const profile = mkdtempSync(join(tmpdir(), "flibs-gallery-"));
  try {
    for (const p of pages) {
      const height = pageHeight(chromium, profile, p.file);
      const png = join(outDir, `${p.id}.png`);
      shoot(chromium, profile, p.file, png, height);
      console.log(`gallery: ${png} (${WIDTH}x${height})`);
    }
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Headless Chromium with nothing that reaches the network or a desktop. */
function chromiumArgs(profile: string): string[] {
  return [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    `--user-data-dir=${profile}`,
  ];
}

/** The page's height: Chromium's --screenshot takes the window, so the window is made as tall as the page. */
function pageHeight(chromium: string, profile: string, file: string): number {
  const measure = file.replace(/\.html$/, ".measure.html");
  const html = readFileSync(file, "utf8").replace(
    "</body>",
    "<script>document.title='height:'+Math.ceil(document.querySelector('main').getBoundingClientRect().bottom)</script></body>",
  );
  writeFileSync(measure, html);
  const r = spawnSync(chromium, [...chromiumArgs(profile), `--window-size=${WIDTH},800`, "--dump-dom", `file://${measure}`], {
    encoding: "utf8",
    timeout: 60_000,
  });
  rmSync(measure, { force: true });
  const m = /height:(\d+)/.exec(r.stdout ?? "");
  return Math.min(16_000, Math.max(200, Number(m?.[1] ?? 2000)));
}

function shoot(chromium: string, profile: string, file: string, png: string, height: number): void {
  const r = spawnSync(chromium, [...chromiumArgs(profile), `--window-size=${WIDTH},${height}`, `--screenshot=${png}`, `file://${file}`], {
    encoding: "utf8",
    timeout: 60_000,
  });
  if (r.status !== 0 || !existsSync(png)) throw new Error(`chromium could not take ${png}: ${r.stderr?.split("\n").slice(-5).join("\n")}`);
}

await run(resolve(process.argv[2] ?? "gallery-out"));
