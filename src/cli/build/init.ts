import { existsSync } from "node:fs";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describeError, FlibsError } from "../../core/errors.js";
import { parseContainerConfig } from "../../core/config/index.js";
import type { CliIo } from "../io.js";

const execFileAsync = promisify(execFile);

export interface InitOptions {
  dir: string;
  flibsRepo: string;
  /** The flibs release the callers run: a tag or branch is resolved to its commit, so a moved tag changes nothing. */
  ref: string;
  /** Where `--flibs-repo` lives (`https://github.com`, a GHES host); `git ls-remote` resolves `ref` there. */
  server: string;
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
const REF = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/;
const IMAGE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/** `flibs init`: the build and promote caller workflows and a container.yaml starter, never overwriting without --force. */
export async function runInit(o: InitOptions, io: CliIo): Promise<number> {
  const dir = resolve(io.cwd, o.dir);
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new FlibsError("usage", `not a directory: ${o.dir}`);
  if (!OWNER_REPO.test(o.flibsRepo)) throw new FlibsError("usage", `--flibs-repo must be OWNER/NAME, got ${JSON.stringify(o.flibsRepo)}`);
  if (!REF.test(o.ref)) throw new FlibsError("usage", `--ref must be a tag, branch or commit SHA of flibs, got ${JSON.stringify(o.ref)}`);
  const image =
    o.image ??
    basename(dir)
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "");
  if (!IMAGE.test(image)) throw new FlibsError("usage", `cannot make an image name from ${JSON.stringify(basename(dir))}: give --image`);

  const targets = [
    [join(dir, ".github", "workflows", "flibs.yml"), ".github/workflows/flibs.yml"],
    [join(dir, ".github", "workflows", "flibs-promote.yml"), ".github/workflows/flibs-promote.yml"],
    [join(dir, "container.yaml"), "container.yaml"],
  ] as const;
  const existing = targets.filter(([p]) => existsSync(p)).map(([, shown]) => shown);
  if (existing.length && !o.force) {
    throw new FlibsError("refused", `${existing.join(", ")} already exist${existing.length === 1 ? "s" : ""}: use --force to overwrite`);
  }
  const sha = await resolveRef(o);
  // Pinned to the commit: a reusable workflow called by tag runs whatever the tag points at when the job starts.
  const pin = (text: string) =>
    text
      .replaceAll("my-org/flibs", o.flibsRepo)
      .replace(/(uses: [^\s@]+)@v1$/m, `$1@${sha} # ${o.ref}`)
      .replace(/^(\s+flibs_ref:) v1$/m, `$1 ${sha}`);
  const t = templatesDir();
  const workflow = pin(await readFile(join(t, "flibs.yml"), "utf8")).replace(
    /^# Copied into.*\n# The flibs App.*\n/m,
    "# Dispatched by the flibs App (written by `flibs init`).\n",
  );
  const promote = pin(await readFile(join(t, "flibs-promote.yml"), "utf8")).replace(/^# Copied into.*\n# Replace my-org.*\n/m, "");
  const container = (await readFile(join(t, "container.yaml"), "utf8")).replace("image: my-org/my-image", `image: ${image}`);
  if (!parseContainerConfig(container).ok) throw new FlibsError("internal", "the container.yaml starter does not validate");

  const texts = [workflow, promote, container];
  for (const [i, [path, shown]] of targets.entries()) {
    const text = texts[i]!;
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
    io.stdout(`wrote ${shown}\n`);
  }
  return 0;
}

/** `ref` as a commit SHA: itself when it is one, else what `git ls-remote` says the tag or branch points at. */
async function resolveRef(o: InitOptions): Promise<string> {
  if (/^[0-9a-f]{40}$/.test(o.ref)) return o.ref;
  const url = `${o.server.replace(/\/+$/, "")}/${o.flibsRepo}.git`;
  let out: string;
  try {
    ({ stdout: out } = await execFileAsync(
      "git",
      ["ls-remote", url, `refs/tags/${o.ref}^{}`, `refs/tags/${o.ref}`, `refs/heads/${o.ref}`],
      { timeout: 30_000 },
    ));
  } catch (e) {
    throw new FlibsError("io", `cannot resolve ${o.ref} of ${url} to a commit (${describeError(e)}): pass the commit with --ref <sha>`);
  }
  const lines = out
    .split("\n")
    .map((l) => l.split("\t"))
    .filter((p) => p.length === 2);
  // An annotated tag is listed twice: the tag object, then (^{}) the commit it points at.
  const hit =
    lines.find(([, r]) => r === `refs/tags/${o.ref}^{}`) ??
    lines.find(([, r]) => r === `refs/tags/${o.ref}`) ??
    lines.find(([, r]) => r === `refs/heads/${o.ref}`);
  if (!hit || !/^[0-9a-f]{40}$/.test(hit[0]!))
    throw new FlibsError("not-found", `${url} has no tag or branch ${o.ref}: pass the commit with --ref <sha>`);
  return hit[0]!;
}
