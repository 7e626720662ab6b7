import type { Command } from "commander";
import type { CliIo, SetExit } from "../io.js";

/**
 * One `flibs` sub-command. `register` declares its arguments and options only; its action handler must
 * `await import(...)` the implementation, so `flibs --help` and other commands load nothing heavy.
 * Throw a FlibsError ("usage", "io", ...) for a problem the user can fix: main prints its message and exits 2.
 */
export interface CommandDefinition {
  register(program: Command, io: CliIo, setExit: SetExit): void;
}
