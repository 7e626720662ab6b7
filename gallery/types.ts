/**
 * A screen is one thing GitHub or a terminal shows a maintainer, rendered by flibs' own code (never written by
 * hand here): a check run (name, conclusion, title, summary, annotations), a PR comment, a job summary, or
 * terminal output (with its ANSI colours).
 */
export type MarkdownKind = "check" | "comment" | "job-summary";

export interface CheckHeader {
  /** The check run's name, e.g. `flibs/review`. */
  name: string;
  conclusion: string;
  /** The check run's title (plain text). */
  title: string;
  /** Annotations as GitHub lists them under the summary. */
  annotations?: readonly { path: string; start_line: number; annotation_level: string; title?: string; message: string }[];
}

export interface MarkdownScreen {
  title: string;
  kind: MarkdownKind;
  markdown: string;
  check?: CheckHeader;
  /** Values a maintainer copies from this screen: each must be the exact text of a code span (the gallery test checks). */
  copyable?: readonly string[];
  /** Link prefixes this screen carries on purpose (the rule reference, a job log). */
  links?: readonly string[];
}

export interface TerminalScreen {
  title: string;
  kind: "terminal";
  /** What the command wrote, ANSI escapes included. */
  text: string;
  /** The command line shown above it. */
  command: string;
}

export type Screen = MarkdownScreen | TerminalScreen;

export interface Scenario {
  /** File-name-safe id: the PNG is `gallery-out/<id>.png`. */
  id: string;
  title: string;
  screens(): Promise<Screen[]>;
}
