/**
 * One step at a time per commit in this replica: the builds, reports and promotions of one commit never
 * interleave (three copies of one delivery arriving together). Between replicas, GitHub's state decides.
 */
export class PerCommit {
  private readonly chains = new Map<string, Promise<unknown>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.chains.get(key) ?? Promise.resolve();
    const mine = before.then(work, work);
    const tail = mine.catch(() => undefined);
    this.chains.set(key, tail);
    void tail.finally(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
    return await mine;
  }
}
