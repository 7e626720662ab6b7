import { describeError } from "../core/errors.js";

interface Log {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * How long a delivery's HTTP response waits for the work it started. GitHub waits 10 s for a response and asks
 * Apps to answer quickly and work asynchronously, so the App answers as soon as the delivery is verified and its
 * work started (budget 0, the default); the work's state lives in GitHub (check runs), not in the response.
 * A budget above 0 holds the response until the work is done or the budget runs out (tests use a long one, so
 * `receive` resolves when the work is done); past it, the delivery is answered and the work finishes in the
 * background. A failure in the background is logged, never an unhandled rejection.
 */
export class DeliveryWork {
  private readonly pending = new Set<Promise<unknown>>();

  constructor(readonly budgetMs = 0) {}

  async run(log: Log, what: string, work: () => Promise<void>): Promise<void> {
    const task = work();
    const tracked = task.then(
      () => undefined,
      (e: unknown) => e,
    );
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
    const background = () =>
      void task.catch((e: unknown) => log.error({ err: e }, `${what} failed in the background: ${describeError(e)}`));
    if (this.budgetMs <= 0) {
      background();
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), this.budgetMs);
      timer.unref();
    });
    const outcome = await Promise.race([task.then(() => "done" as const), late]).finally(() => clearTimeout(timer));
    if (outcome === "late") {
      log.warn(
        { budgetMs: this.budgetMs },
        `${what} is still running after ${this.budgetMs} ms; answering the delivery, finishing in the background`,
      );
      background();
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

/** `FLIBS_DELIVERY_BUDGET_MS` as a budget: a whole number of milliseconds, 0 (answer at once) when unset. */
export function deliveryBudgetFrom(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return 0;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 0 || ms > 9_000) {
    throw new Error(
      `FLIBS_DELIVERY_BUDGET_MS must be a whole number of milliseconds from 0 to 9000 (GitHub gives up after 10 s), got ${JSON.stringify(raw)}`,
    );
  }
  return ms;
}
