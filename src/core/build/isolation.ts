import { isolationSchema, type Isolation } from "../config/policy.js";
import { FlibsError } from "../errors.js";

/** What a build job says about how its RUN steps were isolated: a job summary line and the Action's outputs. */
export interface IsolationReport {
  isolation: Isolation;
  /** Whether the runner that ran this job must be discarded after it (a RUN step could have changed it). */
  ephemeralRunnerRequired: boolean;
  /** One line, the same in the job summary and the `isolation-note` output (the App can show it on the check). */
  note: string;
}

/** Reads the Action's `isolation` input (the policy's `build.isolation`); empty means the default, `oci`. */
export function parseIsolation(text: string | undefined): Isolation {
  const t = (text ?? "").trim() || "oci";
  const r = isolationSchema.safeParse(t);
  if (!r.success) throw new FlibsError("usage", `isolation must be oci or chroot, got ${JSON.stringify(t)}`);
  return r.data;
}

export function isolationReport(isolation: Isolation): IsolationReport {
  if (isolation === "chroot") {
    return {
      isolation,
      ephemeralRunnerRequired: true,
      note:
        "RUN steps ran with `--isolation chroot` (policy `build.isolation: chroot`), which a RUN step can leave: " +
        "this runner must be ephemeral (one job, then discarded), and never one that promotes.",
    };
  }
  return {
    isolation,
    ephemeralRunnerRequired: false,
    note: "RUN steps ran in an OCI runtime (`--isolation oci`), in mount, PID and network namespaces of their own; this job's storage and credentials are removed when it ends.",
  };
}
