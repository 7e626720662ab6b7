import { readFile, stat } from "node:fs/promises";
import { relative, resolve, sep } from "node:path";
import { CONTAINER_CONFIG_FILE, parsePolicyText, type Policy } from "../../core/config/index.js";
import { FlibsError } from "../../core/errors.js";
import { dockerfilePath, review } from "../../core/review/index.js";
import type { CliIo } from "../io.js";
import { formatReview, type OutputFormat } from "../output/format.js";
import { readVersion } from "../version.js";
import { forcesColour, formatReviewForTerminal, wantsColour } from "./terminal.js";

export interface ReviewOptions {
  dir: string;
  format: OutputFormat;
  policy?: string;
}

/** `flibs review`: reads DIR's container.yaml and Dockerfile, prints the review, returns 1 on error findings. */
export async function runReview(opts: ReviewOptions, io: CliIo): Promise<number> {
  const dir = resolve(io.cwd, opts.dir);
  const info = await stat(dir).catch((err: unknown) => {
    const e = err as NodeJS.ErrnoException;
    throw new FlibsError("io", e.code === "ENOENT" ? `no such directory: ${opts.dir}` : `cannot read ${opts.dir}: ${e.code ?? e.message}`);
  });
  if (!info.isDirectory()) throw new FlibsError("usage", `not a directory: ${opts.dir}`);

  const policy = opts.policy === undefined ? undefined : await loadPolicy(resolve(io.cwd, opts.policy), opts.policy);
  const yamlText = await readOptional(resolve(dir, CONTAINER_CONFIG_FILE), CONTAINER_CONFIG_FILE);
  const dfPath = dockerfilePath(yamlText);
  const dfFile = resolve(dir, dfPath);
  if (dfFile !== dir && !dfFile.startsWith(dir + sep)) {
    throw new FlibsError("usage", `${CONTAINER_CONFIG_FILE} names a Dockerfile outside the repo: ${dfPath}`);
  }
  const dfText = await readOptional(dfFile, dfPath);
  const repoPath = relative(dir, dfFile).split(sep).join("/");

  const result = review({
    ...(dfText !== undefined ? { dockerfile: { path: repoPath, text: dfText } } : {}),
    ...(yamlText !== undefined ? { containerYaml: { path: CONTAINER_CONFIG_FILE, text: yamlText } } : {}),
    ...(policy ? { policy } : {}),
  });
  const tty = io.stdoutIsTTY === true;
  if (opts.format === "text" && (tty || forcesColour(io.env))) {
    const sources: Record<string, string> = {};
    if (dfText !== undefined) sources[repoPath] = dfText;
    if (yamlText !== undefined) sources[CONTAINER_CONFIG_FILE] = yamlText;
    io.stdout(formatReviewForTerminal(result, sources, { colour: wantsColour(io.env, tty) }));
  } else io.stdout(formatReview(result, opts.format, readVersion()));
  return result.summary.errors > 0 ? 1 : 0;
}

async function readOptional(path: string, shown: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    throw new FlibsError(
      "io",
      `cannot read ${shown}: ${code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : (code ?? String(e))}`,
    );
  }
}

async function loadPolicy(path: string, shown: string): Promise<Policy> {
  const text = await readOptional(path, shown);
  if (text === undefined) throw new FlibsError("io", `no such policy file: ${shown}`);
  const parsed = parsePolicyText(text, shown);
  if (!parsed.ok) {
    const f = parsed.findings[0];
    const more = parsed.findings.length > 1 ? ` (and ${parsed.findings.length - 1} more)` : "";
    throw new FlibsError("config", `invalid policy ${f ? `${f.file}:${f.line}:${f.column}: ${f.message}` : shown}${more}`);
  }
  return parsed.value;
}
