import { Command, CommanderError } from "commander";
import { describeError, isFlibsError } from "../core/errors.js";
import { COMMANDS } from "./commands/index.js";
import type { CliIo } from "./io.js";
import { readVersion } from "./version.js";

export type { CliIo } from "./io.js";

/** The `flibs` command line. Returns the exit status: 0 ok, 1 findings/failure reported, 2 usage or I/O problem. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let exit = 0;
  const program = new Command("flibs")
    .description("flibs: review, build and promote layered container images")
    .version(readVersion(), "-V, --version", "print the flibs version")
    .helpOption("-h, --help", "show help")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      // One line: commander puts "(Did you mean ...?)" on a second one.
      outputError: (s, write) =>
        write(
          `flibs: ${s
            .replace(/^error: /, "")
            .trim()
            .replace(/\s*\n\s*/g, " ")}\n`,
        ),
    });
  program.helpCommand(false);
  for (const command of COMMANDS) {
    command.register(program, io, (code) => {
      exit = code;
    });
  }
  for (const sub of program.commands) sub.exitOverride().configureOutput(program.configureOutput());

  try {
    await program.parseAsync(argv, { from: "user" });
    return exit;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version end with exitCode 0; every other commander error was already printed as one line.
      return e.exitCode === 0 ? 0 : 2;
    }
    io.stderr(`flibs: ${isFlibsError(e) ? e.message : `internal error: ${describeError(e)}`}\n`);
    return 2;
  }
}
