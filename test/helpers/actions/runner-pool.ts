/**
 * The self-hosted runners a test provides. A job goes to a free runner that has every label of its `runs-on`
 * (compared case-insensitively, as GitHub matches self-hosted labels); each runner runs one job at a time; a job
 * no runner matches stays queued, as on GitHub, until it is cancelled.
 * https://docs.github.com/en/actions/how-tos/manage-runners/self-hosted-runners/use-in-a-workflow
 */
import type { RunnerSpec } from "./model.js";

export class RunnerPool {
  private readonly busy = new Set<RunnerSpec>();
  private wakers = new Set<() => void>();

  constructor(readonly runners: RunnerSpec[]) {}

  matches(labels: string[]): RunnerSpec[] {
    const want = labels.map((l) => l.toLowerCase());
    return this.runners.filter((r) => want.every((l) => r.labels.some((x) => x.toLowerCase() === l)));
  }

  /** Waits for a matching free runner; undefined when `stop()` says to give up (the job was cancelled). */
  async acquire(labels: string[], stop: () => boolean): Promise<RunnerSpec | undefined> {
    for (;;) {
      if (stop()) return undefined;
      const free = this.matches(labels).find((r) => !this.busy.has(r));
      if (free) {
        this.busy.add(free);
        return free;
      }
      await new Promise<void>((resolve) => this.wakers.add(resolve));
    }
  }

  release(runner: RunnerSpec): void {
    this.busy.delete(runner);
    this.poke();
  }

  /** Wakes every waiting job to look again (a runner freed, a job cancelled). */
  poke(): void {
    const w = this.wakers;
    this.wakers = new Set();
    for (const f of w) f();
  }

  id(runner: RunnerSpec): number {
    return this.runners.indexOf(runner) + 1;
  }
}
