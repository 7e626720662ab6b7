import { describeError } from "../core/errors.js";

interface Log {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * GitHub waits 10 s for a delivery's response and Probot answers when the handlers finish. A handler
 * waiting behind its installation's write queue (one write a second) could hold the response past that and
 * GitHub would record a failed delivery. `run` waits for the work at most `budgetMs`; past it, the delivery is
 * answered and the work finishes in the background, its failure logged (never an unhandled rejection).
 */
export class DeliveryWork {
  private readonly pending = new Set<Promise<unknown>>();

  constructor(readonly budgetMs = 8_000) {}

  async run(log: Log, what: string, work: () => Promise<void>): Promise<void> {
    const task = work();
    const tracked = task.then(
      () => undefined,
      (e: unknown) => e,
    );
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), this.budgetMs);
      timer.unref();
    });
    const outcome = await Promise.race([task.then(() => "done" as const), late]).finally(() => clearTimeout(timer));
    if (outcome === "late") {
      log.warn({ budgetMs: this.budgetMs }, `${what} is still running after ${this.budgetMs} ms; answering the delivery, finishing in the background`);
      void task.catch((e: unknown) => log.error({ err: e }, `${what} failed in the background: ${describeError(e)}`));
    }
  }

  /** Resolves when no work is running (tests; a graceful shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  get running(): number {
    return this.pending.size;
  }
}
