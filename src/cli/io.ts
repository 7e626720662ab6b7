/** What a CLI command may touch of the process: injected, so tests and other front ends can drive `main`. */
export interface CliIo {
  stdout(s: string): void;
  stderr(s: string): void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Whether stderr is a terminal (progress is then redrawn in place), and its width. */
  isTTY?: boolean;
  columns?: number;
  /** Whether stdout is a terminal (`flibs review` then shows source lines, in colour unless NO_COLOR). */
  stdoutIsTTY?: boolean;
}

/** Sets the process exit status a command ends with (0 unless called). */
export type SetExit = (code: number) => void;
