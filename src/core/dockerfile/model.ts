/** The Dockerfile as flibs' review rules see it. Every position is 1-based (line and column). */

export interface Span {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface DockerInstruction extends Span {
  /** Upper-case keyword as written (`RUN`, `FROM`, or an unknown word). */
  keyword: string;
  /** Arguments with continuation lines joined and embedded comment lines dropped. */
  args: string;
  /** Where the arguments start (the keyword's position when there are none). */
  argsLine: number;
  argsColumn: number;
  /** Index into `stages`; -1 for instructions before the first FROM. */
  stage: number;
  /** Maps an offset in `args` back to a 1-based line/column in the file. */
  positionAt(offset: number): { line: number; column: number };
}

export interface ImageRef {
  /** As written in FROM. */
  raw: string;
  /** After ARG substitution (build args from container.yaml, then ARG defaults). */
  resolved: string;
  /** Variables left unresolved (no default, no build arg). */
  unresolved: string[];
  /** `scratch`, or a reference to an earlier stage (by name or index): not a base image. */
  kind: "image" | "stage" | "scratch";
  /** Where the image reference is written. */
  line: number;
  column: number;
}

export interface Stage {
  index: number;
  /** The `AS name`, lower-cased as Docker compares it. */
  name?: string;
  from: ImageRef;
  instruction: DockerInstruction;
  instructions: DockerInstruction[];
}

export interface LabelEntry {
  key: string;
  /** With quotes removed and ARG/ENV values substituted. */
  value: string;
  line: number;
  column: number;
  instruction: DockerInstruction;
}

export interface RunCommand {
  /** The RUN instruction, or the ONBUILD instruction whose trigger this RUN is. */
  instruction: DockerInstruction;
  /** `ONBUILD RUN ...`: runs when an image is built FROM this one. */
  onbuild: boolean;
  /** RUN's own options as written (`--mount=type=cache,target=/var/cache/libdnf5`, `--network=none`). */
  flags: string[];
  form: "shell" | "exec";
  /** The command line: shell form joined over continuation lines; exec form argv joined by spaces. */
  text: string;
  argv?: string[];
  /** 1-based position of an offset in `text`. */
  positionAt(offset: number): { line: number; column: number };
}

export interface IgnoreComment {
  rules: string[];
  reason: string;
  line: number;
  column: number;
  /** The instruction the comment applies to (the next one), if any. */
  target?: DockerInstruction;
}

export interface ParseProblem {
  line: number;
  column: number;
  message: string;
}

/**
 * An image the build pulls: a stage's FROM, or an image (not a stage, not `scratch`) named by `COPY --from=` or
 * `RUN --mount=...,from=`. Each is a base image in all but name: reviewed, approved and pinned the same way.
 */
export interface ImageUse {
  ref: ImageRef;
  via: "FROM" | "COPY --from" | "RUN --mount";
  instruction: DockerInstruction;
  /** Where `ref.raw` stands in `instruction.args` (to rewrite it pinned). */
  offset: number;
}

export interface ParsedDockerfile {
  file: string;
  instructions: DockerInstruction[];
  stages: Stage[];
  /** Every external image the build pulls, in file order: FROM, COPY --from, RUN --mount from. */
  images: ImageUse[];
  labels: LabelEntry[];
  runs: RunCommand[];
  ignores: IgnoreComment[];
  /** Structural problems found while parsing (unknown instruction, no FROM, ...). */
  problems: ParseProblem[];
}
