import type { JobStep } from "../core/report/job-summary/index.js";
import { isStopping } from "./terminate.js";

interface Entry {
  name: string;
  started: number;
  ended?: number;
  result: "done" | "failed" | "skipped" | "running";
  label?: string;
}

/**
 * Times a job's steps, each its own duration (steps may overlap: publish reads its arches at once). Whatever
 * stops the job, `steps()` tells what ran, what failed, what was still running and what never started.
 */
export class StepClock {
  private readonly entries: Entry[] = [];
  private planned: string[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** The steps the job means to run, in order: those never started show as not run. */
  plan(names: readonly string[]): void {
    this.planned = [...names];
  }

  /** Starts a step; the handle ends it. */
  begin(name: string): StepHandle {
    const entry: Entry = { name, started: this.now(), result: "running" };
    this.entries.push(entry);
    return {
      end: (result: "done" | "failed" | "skipped" = "done", label?: string) => {
        // A tool killed because the job is stopping did not fail: its step stays running, shown as cancelled.
        if (entry.result !== "running" || (result === "failed" && isStopping())) return;
        entry.result = result;
        entry.ended = this.now();
        if (label !== undefined) entry.label = label;
      },
    };
  }

  /** Runs `fn` as step `name`: done when it returns, failed when it throws. */
  async step<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const h = this.begin(name);
    try {
      const v = await fn();
      h.end("done");
      return v;
    } catch (e) {
      h.end("failed");
      throw e;
    }
  }

  /** The step that failed last, if any. */
  get failed(): string | undefined {
    return [...this.entries].reverse().find((e) => e.result === "failed")?.name;
  }

  steps(): JobStep[] {
    const at = this.now();
    const ran: JobStep[] = this.entries.map((e) => ({
      name: e.name,
      result: e.result,
      seconds: ((e.ended ?? at) - e.started) / 1000,
      ...(e.label !== undefined ? { label: e.label } : {}),
    }));
    const seen = new Set(ran.map((s) => s.name));
    return [...ran, ...this.planned.filter((p) => !seen.has(p)).map((name): JobStep => ({ name, result: "not run" }))];
  }
}

export interface StepHandle {
  end(result?: "done" | "failed" | "skipped", label?: string): void;
}
