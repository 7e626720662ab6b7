import { existsSync } from "node:fs";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { FlibsError } from "../../core/errors.js";
import { parseContainerConfig } from "../../core/config/index.js";
import type { CliIo } from "../io.js";

export interface InitOptions {
  dir: string;
  flibsRepo: string;
  registry: string;
  image?: string;
  force?: boolean;
}

/** flibs' workflows-templates/, found from this file (src/, dist/ or an installed package). */
function templatesDir(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(d, "workflows-templates", "flibs.yml"))) return join(d, "workflows-templates");
    d = dirname(d);
  }
  throw new FlibsError("internal", "flibs' workflows-templates folder is missing from this installation");
}

const OWNER_REPO = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/;
const PREFIX = /^[a-z0-9.-]+(:[0-9]+)?(\/[a-z0-9._-]+)*$/;
const IMAGE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/** `flibs init`: the build and promote caller workflows and a container.yaml starter, never overwriting without --force. */
export async function runInit(o: InitOptions, io: CliIo): Promise<number> {
  const dir = resolve(io.cwd, o.dir);
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new FlibsError("usage", `not a directory: ${o.dir}`);
  if (!OWNER_REPO.test(o.flibsRepo)) throw new FlibsError("usage", `--flibs-repo must be OWNER/NAME, got ${JSON.stringify(o.flibsRepo)}`);
  if (!PREFIX.test(o.registry)) throw new FlibsError("usage", `--registry must be a registry prefix such as ghcr.io/my-org/candidates, got ${JSON.stringify(o.registry)}`);
  const image = o.image ?? basename(dir).toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "");
  if (!IMAGE.test(image)) throw new FlibsError("usage", `cannot make an image name from ${JSON.stringify(basename(dir))}: give --image`);

  const t = templatesDir();
  const workflow = (await readFile(join(t, "flibs.yml"), "utf8"))
    .replaceAll("my-org/flibs", o.flibsRepo)
    .replaceAll("ghcr.io/my-org/candidates", o.registry)
    .replace(/^# Copied into.*\n# The flibs App.*\n/m, "# Dispatched by the flibs App (written by `flibs init`).\n");
  const promote = (await readFile(join(t, "flibs-promote.yml"), "utf8"))
    .replaceAll("my-org/flibs", o.flibsRepo)
    .replace(/^# Copied into.*\n# Replace my-org.*\n/m, "");
  const container = (await readFile(join(t, "container.yaml"), "utf8")).replace("image: my-org/my-image", `image: ${image}`);
  if (!parseContainerConfig(container).ok) throw new FlibsError("internal", "the container.yaml starter does not validate");

  const files = [
    [join(dir, ".github", "workflows", "flibs.yml"), ".github/workflows/flibs.yml", workflow],
    [join(dir, ".github", "workflows", "flibs-promote.yml"), ".github/workflows/flibs-promote.yml", promote],
    [join(dir, "container.yaml"), "container.yaml", container],
  ] as const;
  const existing = files.filter(([p]) => existsSync(p)).map(([, shown]) => shown);
  if (existing.length && !o.force) {
    throw new FlibsError("refused", `${existing.join(", ")} already exist${existing.length === 1 ? "s" : ""}: use --force to overwrite`);
  }
  for (const [path, shown, text] of files) {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
    io.stdout(`wrote ${shown}\n`);
  }
  return 0;
}
