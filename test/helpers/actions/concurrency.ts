/**
 * Concurrency groups as GitHub applies them
 * (https://docs.github.com/en/actions/how-tos/write-workflows/choose-when-workflows-run/control-workflow-concurrency):
 * at most one running and one pending holder per group (names compared case-insensitively, repository-wide);
 * a new pending holder cancels the older pending one; with `cancel-in-progress` it cancels the running one.
 * The workflow of a run, each reusable workflow it calls, and each job may hold a group; a run asking for a
 * group it already holds is cancelled ("Canceling since a deadlock for concurrency group '<g>' was detected
 * between 'top level workflow' and '<job>'", as GitHub annotates it).
 */
export interface Holder {
  runId: number;
  /** Who holds it, for the deadlock message: `top level workflow` or a job's name. */
  label: string;
  cancel(reason: string): void;
}

interface Group {
  running?: Holder;
  pending?: { holder: Holder; resolve(acquired: boolean): void };
  released: Array<() => void>;
}

export type Acquired = { ok: true; release(): void } | { ok: false; reason: string };

export class ConcurrencyGroups {
  private readonly groups = new Map<string, Group>();

  async acquire(name: string, holder: Holder, cancelInProgress: boolean, onPending: () => void): Promise<Acquired> {
    const key = name.toLowerCase();
    const g = this.groups.get(key) ?? { released: [] };
    this.groups.set(key, g);
    const release = () => {
      if (g.running !== holder) return;
      g.running = undefined;
      const next = g.pending;
      g.pending = undefined;
      if (next) {
        g.running = next.holder;
        next.resolve(true);
      }
    };
    if (!g.running) {
      g.running = holder;
      return { ok: true, release };
    }
    if (g.running.runId === holder.runId) {
      return {
        ok: false,
        reason: `Canceling since a deadlock for concurrency group '${name}' was detected between '${g.running.label}' and '${holder.label}'`,
      };
    }
    const reason = `Canceling since a higher priority waiting request for '${name}' exists`;
    if (g.pending) {
      g.pending.resolve(false);
    }
    const waited = new Promise<boolean>((resolve) => (g.pending = { holder, resolve }));
    onPending();
    if (cancelInProgress) g.running.cancel(reason);
    return (await waited) ? { ok: true, release } : { ok: false, reason };
  }
}
