import { DockerfileParser, Env, Label, type Instruction } from "dockerfile-ast";
import type {
  DockerInstruction,
  IgnoreComment,
  ImageRef,
  ImageUse,
  LabelEntry,
  ParsedDockerfile,
  ParseProblem,
  RunCommand,
  Stage,
} from "./model.js";
import { substitute } from "./substitute.js";

export const KNOWN_INSTRUCTIONS = new Set([
  "ADD",
  "ARG",
  "CMD",
  "COPY",
  "ENTRYPOINT",
  "ENV",
  "EXPOSE",
  "FROM",
  "HEALTHCHECK",
  "LABEL",
  "MAINTAINER",
  "ONBUILD",
  "RUN",
  "SHELL",
  "STOPSIGNAL",
  "USER",
  "VOLUME",
  "WORKDIR",
]);

const IGNORE = /^flibs-ignore(?:\s+(\S+))?(?:\s+(.*\S))?\s*$/;

export interface ParseOptions {
  /** `--build-arg` values (container.yaml's `build_args`), which override ARG defaults. */
  buildArgs?: Readonly<Record<string, string>>;
}

/** Parses a Dockerfile into flibs' model. Never throws: structural problems are returned in `problems`. */
export function parseDockerfile(source: string, file = "Dockerfile", options: ParseOptions = {}): ParsedDockerfile {
  // Docker ends lines at LF (a CR before it is dropped); a CR elsewhere is whitespace inside the line.
  // dockerfile-ast would end a line there too, so it gets a space instead (same offsets, same columns).
  const text = source.replace(/\r(?!\n)/g, " ");
  const lines = text.split(/\r?\n/);
  const ast = DockerfileParser.parse(text);
  const escape = ast.getEscapeCharacter();
  const buildArgs = new Map(Object.entries(options.buildArgs ?? {}));
  const problems: ParseProblem[] = [];
  const instructions: DockerInstruction[] = [];
  const stages: Stage[] = [];
  const labels: LabelEntry[] = [];
  const runs: RunCommand[] = [];
  const images: ImageUse[] = [];
  const globals = new Map<string, string>();
  let vars = new Map<string, string>();

  for (const node of ast.getInstructions()) {
    // A line holding only the escape character continues onto the next instruction: Docker ignores it,
    // dockerfile-ast makes it an instruction named `\`.
    if (node.getKeyword() === escape && node.getArguments().length === 0) continue;
    const ins = toInstruction(node, lines, escape, stages.length - 1);
    instructions.push(ins);
    const stage = stages[stages.length - 1];
    if (ins.keyword !== "FROM") stage?.instructions.push(ins);

    if (!KNOWN_INSTRUCTIONS.has(ins.keyword)) {
      problems.push({ line: ins.line, column: ins.column, message: `unknown instruction \`${node.getInstruction()}\`` });
      continue;
    }
    if (!stage && ins.keyword !== "FROM" && ins.keyword !== "ARG") {
      problems.push({ line: ins.line, column: ins.column, message: `${ins.keyword} before the first FROM (only ARG may come first)` });
    }
    if (ins.args.trim() === "") {
      problems.push({ line: ins.line, column: ins.column, message: `${ins.keyword} has no arguments` });
      if (ins.keyword !== "FROM") continue;
    }
    switch (ins.keyword) {
      case "FROM": {
        const parsed = parseFrom(ins, stages, globals, escape);
        if (parsed.problem) problems.push({ line: ins.argsLine, column: ins.argsColumn, message: parsed.problem });
        ins.stage = stages.length;
        stages.push({ index: stages.length, name: parsed.name, from: parsed.from, instruction: ins, instructions: [ins] });
        if (parsed.from.kind === "image" && parsed.from.raw)
          images.push({ ref: parsed.from, via: "FROM", instruction: ins, offset: parsed.offset });
        vars = new Map();
        break;
      }
      case "ARG":
        for (const [name, value] of argDefinitions(ins.args)) {
          const v = buildArgs.get(name) ?? (value === undefined ? undefined : substitute(value, stage ? vars : globals, escape).value);
          if (!stage) {
            if (v !== undefined) globals.set(name, v);
          } else {
            const inherited = v ?? globals.get(name);
            if (inherited !== undefined) vars.set(name, inherited);
          }
        }
        break;
      case "ENV":
        for (const p of node instanceof Env ? node.getProperties() : []) {
          const name = p.getName();
          const value = p.getValue();
          if (name) vars.set(name, substitute(value ?? "", vars, escape).value);
        }
        break;
      case "LABEL":
        for (const p of node instanceof Label ? node.getProperties() : []) {
          const range = p.getNameRange();
          labels.push({
            key: substitute(p.getName(), vars, escape).value,
            value: substitute(p.getValue() ?? "", vars, escape).value,
            line: range.start.line + 1,
            column: range.start.character + 1,
            instruction: ins,
          });
        }
        break;
      case "RUN": {
        const run = toRun(ins, 0);
        runs.push(run);
        images.push(...flagImages(ins, "RUN --mount", stages, stage ? vars : globals, escape));
        break;
      }
      case "COPY":
        images.push(...flagImages(ins, "COPY --from", stages, stage ? vars : globals, escape));
        break;
      case "ONBUILD": {
        // `ONBUILD RUN ...` runs in every image built FROM this one: its command is read like a RUN's.
        const trigger = /^RUN(?=\s)/i.exec(ins.args);
        if (trigger) runs.push(toRun(ins, trigger[0].length));
        break;
      }
    }
  }

  if (instructions.length === 0) problems.push({ line: 1, column: 1, message: "the Dockerfile has no instructions" });
  else if (stages.length === 0) problems.push({ line: 1, column: 1, message: "the Dockerfile has no FROM instruction" });

  return { file, instructions, stages, images, labels, runs, ignores: ignoresOf(ast.getComments(), instructions), problems };
}

function toInstruction(node: Instruction, lines: string[], escape: string, stage: number): DockerInstruction {
  const range = node.getRange();
  // Arguments are everything after the keyword, flags included (dockerfile-ast leaves out RUN's and FROM's flags).
  const keywordEnd = node.getInstructionRange().end;
  const joined = joinLines(lines, keywordEnd.line, keywordEnd.character, range.end.line, range.end.character, escape);
  const lead = /^[ \t]*/.exec(joined.text)?.[0].length ?? 0;
  const text = joined.text.slice(lead).trimEnd();
  const segments = joined.segments.map((s) => ({ ...s, offset: s.offset - lead }));
  const positionAt = positionFinder(segments, range.start.line + 1, range.start.character + 1);
  // The leading blanks may span continuation lines (`FROM \` then the image below): offset 0 finds the right one.
  const first = segments[0] ? positionAt(0) : undefined;
  return {
    keyword: node.getKeyword().toUpperCase(),
    args: text,
    line: range.start.line + 1,
    column: range.start.character + 1,
    endLine: range.end.line + 1,
    endColumn: range.end.character + 1,
    argsLine: text ? (first?.line ?? range.start.line + 1) : range.start.line + 1,
    argsColumn: text ? (first?.column ?? range.start.character + 1) : range.start.character + 1,
    stage,
    positionAt,
  };
}

interface Segment {
  offset: number;
  line: number;
  column: number;
}

/** Joins an instruction's physical lines as Docker does (escape + newline removed), remembering where each piece came from. */
function joinLines(lines: string[], l0: number, c0: number, l1: number, c1: number, escape: string): { text: string; segments: Segment[] } {
  let text = "";
  const segments: Segment[] = [];
  for (let l = l0; l <= l1; l++) {
    const full = lines[l] ?? "";
    const start = l === l0 ? c0 : 0;
    let piece = full.slice(start, l === l1 ? c1 : full.length);
    if (l > l0 && (/^\s*#/.test(piece) || piece.trim() === "")) continue;
    const trimmed = piece.trimEnd();
    if (l < l1 && trimmed.endsWith(escape)) piece = trimmed.slice(0, -escape.length);
    else if (l < l1) piece += "\n"; // heredoc bodies keep their newlines
    segments.push({ offset: text.length, line: l + 1, column: start + 1 });
    text += piece;
  }
  return { text, segments };
}

function positionFinder(segments: Segment[], line: number, column: number): (offset: number) => { line: number; column: number } {
  return (offset) => {
    let seg: Segment | undefined;
    for (const s of segments) {
      if (s.offset > offset) break;
      seg = s;
    }
    return seg ? { line: seg.line, column: seg.column + (offset - seg.offset) } : { line, column };
  };
}

function parseFrom(
  ins: DockerInstruction,
  stages: readonly Stage[],
  globals: ReadonlyMap<string, string>,
  escape: string,
): { from: ImageRef; name?: string; problem?: string; offset: number } {
  const tokens = [...ins.args.matchAll(/\S+/g)];
  while (tokens[0]?.[0].startsWith("--")) tokens.shift();
  const words = tokens.map((t) => t[0]);
  const raw = words[0] ?? "";
  const position = ins.positionAt(tokens[0]?.index ?? 0);
  let problem: string | undefined;
  let name: string | undefined;
  if (!raw) problem = "FROM names no image";
  if (words.length === 3 && words[1]?.toUpperCase() === "AS") name = words[2]?.toLowerCase();
  else if (words.length > 1) problem = "FROM takes `image [AS name]`";
  const { value: resolved, unresolved } = substitute(raw, globals, escape);
  const lower = resolved.toLowerCase();
  const isStage = stages.some((s) => s.name === lower) || (/^\d+$/.test(resolved) && Number(resolved) < stages.length);
  const kind = lower === "scratch" ? "scratch" : isStage ? "stage" : "image";
  return {
    from: { raw, resolved, unresolved, kind, line: position.line, column: position.column },
    name,
    problem,
    offset: tokens[0]?.index ?? 0,
  };
}

/**
 * Images named by `COPY --from=<image>` or `RUN --mount=...,from=<image>`: the build pulls them as it pulls a FROM,
 * so they are base images too. A stage's name or index, and `scratch`, are not.
 */
function flagImages(
  ins: DockerInstruction,
  via: "COPY --from" | "RUN --mount",
  stages: readonly Stage[],
  vars: ReadonlyMap<string, string>,
  escape: string,
): ImageUse[] {
  const out: ImageUse[] = [];
  const re = via === "COPY --from" ? /(?:^|\s)--from=("?)([^\s"]+)\1/g : /(?:^|\s)--mount=(\S+)/g;
  // Only the instruction's leading flags: `--from` inside a RUN command is the command's own.
  const flagsEnd = /^(?:\s*--\S+)*/.exec(ins.args)?.[0].length ?? 0;
  const flags = ins.args.slice(0, flagsEnd);
  for (const m of flags.matchAll(re)) {
    let raw: string;
    let offset: number;
    if (via === "COPY --from") {
      raw = m[2]!;
      offset = m.index + m[0].indexOf("=") + 1 + m[1]!.length;
    } else {
      const body = m[1]!;
      const from = /(?:^|,)from=([^,]+)/.exec(body);
      if (!from) continue;
      raw = from[1]!.replace(/^"|"$/g, "");
      offset =
        m.index + m[0].indexOf("--mount=") + "--mount=".length + from.index + from[0].indexOf("=") + 1 + (from[1]!.startsWith('"') ? 1 : 0);
    }
    const { value: resolved, unresolved } = substitute(raw, vars, escape);
    const lower = resolved.toLowerCase();
    if (lower === "scratch" || stages.some((s) => s.name === lower) || (/^\d+$/.test(resolved) && Number(resolved) < stages.length))
      continue;
    const at = ins.positionAt(offset);
    out.push({ ref: { raw, resolved, unresolved, kind: "image", line: at.line, column: at.column }, via, instruction: ins, offset });
  }
  return out;
}

/** `ARG a=1 b` -> [[a, "1"], [b, undefined]]. */
function argDefinitions(args: string): Array<[string, string | undefined]> {
  const out: Array<[string, string | undefined]> = [];
  for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)(?:=("(?:[^"\\]|\\.)*"|'[^']*'|\S*))?/g)) {
    const v = m[2];
    out.push([m[1]!, v === undefined ? undefined : v.replace(/^(["'])([\s\S]*)\1$/, "$2")]);
  }
  return out;
}

/** The RUN command in `ins.args` from offset `start` (after `RUN` for an ONBUILD trigger). */
function toRun(ins: DockerInstruction, start: number): RunCommand {
  let bodyStart = start;
  const flags: string[] = [];
  // Leading flags (`--mount=...`, `--network=...`) are options of RUN, not part of the command.
  for (;;) {
    const m = /^\s*(--\S+)/.exec(ins.args.slice(bodyStart));
    if (!m) break;
    flags.push(m[1]!);
    bodyStart += m[0].length;
  }
  bodyStart += /^\s*/.exec(ins.args.slice(bodyStart))?.[0].length ?? 0;
  const body = ins.args.slice(bodyStart);
  const onbuild = ins.keyword === "ONBUILD";
  if (body.startsWith("[")) {
    try {
      const argv: unknown = JSON.parse(body);
      if (Array.isArray(argv) && argv.every((a) => typeof a === "string")) {
        const strings = argv;
        return {
          instruction: ins,
          onbuild,
          flags,
          form: "exec",
          text: strings.join(" "),
          argv: strings,
          positionAt: () => ins.positionAt(bodyStart),
        };
      }
    } catch {
      // not JSON: Docker runs it in shell form
    }
  }
  return { instruction: ins, onbuild, flags, form: "shell", text: body, positionAt: (offset) => ins.positionAt(bodyStart + offset) };
}

function ignoresOf(
  comments: ReturnType<ReturnType<typeof DockerfileParser.parse>["getComments"]>,
  instructions: DockerInstruction[],
): IgnoreComment[] {
  const out: IgnoreComment[] = [];
  for (const c of comments) {
    const m = IGNORE.exec(c.getContent().trim());
    if (!m) continue;
    const range = c.getRange();
    const line = range.start.line + 1;
    out.push({
      rules: (m[1] ?? "").split(",").filter((r) => r !== ""),
      reason: m[2] ?? "",
      line,
      column: range.start.character + 1,
      target: instructions.find((i) => i.line > line),
    });
  }
  return out;
}
