import { stopChildren } from "./exec.js";

const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;

/**
 * How a runner cancels a step (a cancelled run, or the job's timeout): SIGINT to the step's process, SIGTERM
 * 7.5 s later, and 2.5 s after that it kills the process tree (docs.github.com, "Canceling a workflow"; some
 * runners send SIGHUP). On the first of these signals, every tool flibs started is killed with its process
 * tree, `cleanup` runs (job storage and credentials removed), and the process exits 128 + the signal's number.
 * Later signals are ignored while that happens. Returns a function that removes the handlers.
 */
export function stopOnSignals(cleanup: (signal: NodeJS.Signals) => Promise<void>, log: (line: string) => void = () => undefined): () => void {
  let started = false;
  const handler = (signal: NodeJS.Signals) => {
    if (started) return;
    started = true;
    log(`${signal}: stopping the build tools and removing this job's storage and credentials`);
    void (async () => {
      try {
        await stopChildren();
        await cleanup(signal);
      } catch (e) {
        log(`clean-up after ${signal} failed: ${String(e)}`);
      } finally {
        process.exit(128 + SIGNALS[signal as keyof typeof SIGNALS]);
      }
    })();
  };
  for (const s of Object.keys(SIGNALS)) process.on(s, handler);
  return () => {
    for (const s of Object.keys(SIGNALS)) process.off(s, handler);
  };
}
