import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Isolation } from "../core/config/index.js";
import { isFlibsError } from "../core/errors.js";
import { archToPlatformString, type Arch } from "../core/platform.js";
import type { ImageTest } from "../core/config/index.js";
import { isLayoutDestination, transportReference } from "./destination.js";
import { exitCodeOf, run } from "./exec.js";
import { judgeTest, testArgv } from "./tests.js";
import type { BuildSpec, Builder, BuiltImage, TestOutcome } from "./types.js";

export interface BuildahOptions {
  /** `--root` / `--runroot`: a private storage (the Action's job storage, tests, the bench); default the system's. */
  root?: string;
  runroot?: string;
  /** `vfs` works everywhere (no overlay mounts in unprivileged containers). */
  storageDriver?: string;
  /**
   * How RUN steps (and image tests) are isolated; default `oci`: runc, with mount, PID and network namespaces
   * of their own. `chroot` needs no runtime but a RUN step can leave it: only for ephemeral runners.
   */
  isolation?: Isolation;
  /**
   * A user namespace for RUN steps and test containers: container ids 0-65535 are host ids `hostId`..+65535,
   * so container root is nobody on the runner (see `rootUserns`). Only for a storage this builder fills
   * alone (the Action's job storage): buildah 1.28 does not shift an image already stored without the
   * mapping, and a RUN step then cannot write to its own rootfs. The storage is then vfs, whatever
   * `storageDriver` says (see `buildahStorageDriver`). Default none; a rootless buildah maps to the user's
   * subordinate ids by itself.
   */
  userns?: { hostId: number };
  /** TMPDIR for buildah (default the environment's). */
  tmpdir?: string;
  bin?: string;
}

/** Host ids of a root-run build's user namespace: far above any real user's, and above the subordinate ranges useradd hands out. */
export const ROOT_USERNS = { hostId: 1_000_000_000 } as const;
const USERNS_SIZE = 65536;

/**
 * What reaches buildah of flibs' environment: what buildah, containers/storage, containers/image and the
 * runner's process tracking read, and nothing else (no INPUT_*, tokens or other secrets of the job).
 */
export function buildahEnv(env: NodeJS.ProcessEnv, o: Pick<BuildahOptions, "tmpdir"> = {}): NodeJS.ProcessEnv {
  const keep = (k: string) =>
    /^(PATH|HOME|USER|LOGNAME|LANG|LC_[A-Z]+|TZ|TMPDIR|XDG_RUNTIME_DIR|XDG_CONFIG_HOME|XDG_DATA_HOME|REGISTRY_AUTH_FILE|DOCKER_CONFIG|STORAGE_DRIVER|STORAGE_OPTS|SSL_CERT_FILE|SSL_CERT_DIR|RUNNER_TRACKING_ID)$/.test(
      k,
    ) ||
    /^(CONTAINERS|BUILDAH)_[A-Z_]+$/.test(k) ||
    /^(HTTP|HTTPS|FTP|NO)_PROXY$/i.test(k);
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && keep(k)) out[k] = v;
  if (o.tmpdir) out.TMPDIR = o.tmpdir;
  return out;
}

/** The user namespace for an `oci` build run as root (`ROOT_USERNS`); none for chroot, or when not root. */
export function rootUserns(isolation: Isolation, uid: number | undefined = process.getuid?.()): { hostId: number } | undefined {
  return uid === 0 && isolation === "oci" ? ROOT_USERNS : undefined;
}

/** The user namespace flags of `bud` and `from` (see `BuildahOptions.userns`). */
export function buildahUsernsArgs(o: BuildahOptions): string[] {
  if (!o.userns || (o.isolation ?? "oci") !== "oci") return [];
  const map = `0:${o.userns.hostId}:${USERNS_SIZE}`;
  return ["--userns-uid-map", map, "--userns-gid-map", map];
}

/**
 * The storage driver: vfs whenever RUN steps run in a user namespace. Under overlay, containers/storage gives
 * a mapped container idmapped mounts of the image's layers, and buildah commits what a RUN step wrote with
 * the host ids it has on disk: `/etc/x` written by container root is owned by 1000000000 in the pushed image,
 * and in a test container of that image it is nobody's (runc cannot even mount `/run/.containerenv`). vfs
 * keeps a chowned copy per mapping and maps ids back when it commits. (buildah 1.28; upstream still open:
 * container-libs#914 "Commit and building completely broken (wrong uids...) when userns+idmapping is used".)
 */
export function buildahStorageDriver(o: BuildahOptions): string | undefined {
  return buildahUsernsArgs(o).length ? "vfs" : o.storageDriver;
}

/** The global flags every buildah call gets. */
export function buildahGlobalArgs(o: BuildahOptions): string[] {
  const driver = buildahStorageDriver(o);
  return [
    ...(o.root ? ["--root", o.root] : []),
    ...(o.runroot ? ["--runroot", o.runroot] : []),
    ...(driver ? ["--storage-driver", driver] : []),
  ];
}

/** `buildah bud` argv for one arch: labels sorted, timestamps fixed, no identity label that would vary. */
export function buildahBudArgs(spec: BuildSpec, o: BuildahOptions, localName: string): string[] {
  return [
    ...buildahGlobalArgs(o),
    "bud",
    "--isolation",
    o.isolation ?? "oci",
    ...buildahUsernsArgs(o),
    "--platform",
    archToPlatformString(spec.arch),
    "--timestamp",
    String(spec.sourceDateEpoch),
    "--layers=false",
    // io.buildah.version would tie the digest to the runner's buildah release.
    "--identity-label=false",
    `--tls-verify=${spec.insecure ? "false" : "true"}`,
    // bud leaves layers uncompressed when it writes into an OCI layout; a registry push gzips them. Same
    // compressor both ways, so a layout holds the digests a push gives.
    ...(isLayoutDestination(spec.destination) ? ["--disable-compression=false"] : []),
    ...(spec.authFile ? ["--authfile", spec.authFile] : []),
    ...Object.entries(spec.buildContexts).flatMap(([k, v]) => ["--build-context", `${k}=${v}`]),
    ...Object.entries(spec.buildArgs).flatMap(([k, v]) => ["--build-arg", `${k}=${v}`]),
    "--build-arg",
    `SOURCE_DATE_EPOCH=${spec.sourceDateEpoch}`,
    ...Object.entries(spec.labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]),
    "-f",
    spec.dockerfile,
    "-t",
    localName,
    spec.contextDir,
  ];
}

/** buildah's words when the OCI runtime failed to create a test's container (run_linux.go, "creating container for"). */
const CONTAINER_NOT_STARTED = /^error running container: from \S+ creating container for /m;

export class BuildahBuilder implements Builder {
  readonly name = "buildah" as const;
  private readonly images = new Set<string>();
  private readonly bin: string;

  constructor(private readonly options: BuildahOptions = {}) {
    this.bin = options.bin ?? "buildah";
  }

  private buildah(args: string[], onOutput?: (c: string) => void) {
    return run(this.bin, [...buildahGlobalArgs(this.options), ...args], {
      env: { ...buildahEnv(process.env, this.options), BUILDAH_LAYERS: "false" },
      onOutput,
    });
  }

  async buildAndPush(spec: BuildSpec): Promise<BuiltImage> {
    const budEnv = { ...buildahEnv(process.env, this.options), SOURCE_DATE_EPOCH: String(spec.sourceDateEpoch) };
    if (spec.localImage === false) {
      // No image tests: buildah commits straight to the registry. The local commit (a full copy of the
      // rootfs under vfs), the push reading it back and the removal are skipped; the manifest is the same
      // bytes `buildah push` writes (the e2e test checks the digests agree). bud cannot report the pushed
      // digest: the caller reads the tag.
      const remote = transportReference(spec.destination);
      await run(this.bin, buildahBudArgs(spec, this.options, remote), { onOutput: spec.onOutput, env: budEnv });
      return { handle: remote };
    }
    const localName = `localhost/flibs-build-${spec.arch}-${randomBytes(4).toString("hex")}`;
    this.images.add(localName);
    await run(this.bin, buildahBudArgs(spec, this.options, localName), { onOutput: spec.onOutput, env: budEnv });
    spec.onPush?.();
    const dir = await mkdtemp(join(this.options.tmpdir ?? tmpdir(), "flibs-push-"));
    try {
      const digestFile = join(dir, "digest");
      await this.buildah(
        [
          "push",
          "--format",
          "oci",
          "--digestfile",
          digestFile,
          `--tls-verify=${spec.insecure ? "false" : "true"}`,
          ...(spec.authFile ? ["--authfile", spec.authFile] : []),
          localName,
          transportReference(spec.destination),
        ],
        spec.onOutput,
      );
      const digest = (await readFile(digestFile, "utf8")).trim();
      return { digest, handle: localName };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async runTest(image: BuiltImage, _arch: Arch, test: ImageTest, insecure = false): Promise<TestOutcome> {
    // An image committed straight to the registry is pulled (with the build's TLS choice); a local one never is.
    const remote = image.handle.startsWith("docker://");
    // The container's user namespace is chosen when it is made; `run` then uses it.
    const userns = buildahUsernsArgs(this.options);
    const from = remote
      ? ["from", ...userns, `--tls-verify=${insecure ? "false" : "true"}`, image.handle]
      : ["from", ...userns, "--pull-never", image.handle];
    const { stdout: cid } = await this.buildah(from);
    const ctr = cid.trim().split("\n").pop()!;
    try {
      const r = await this.buildah(["run", "--isolation", this.options.isolation ?? "oci", ctr, "--", ...testArgv(test)]);
      return { name: test.name, passed: judgeTest(test, true, r.stdout), output: r.stdout + r.stderr, exitCode: 0 };
    } catch (e) {
      if (!isFlibsError(e)) throw e;
      const d = e.detail as { stdout?: string; stderr?: string } | undefined;
      // The runtime could not start the command (buildah then exits 1): its stderr says why, and no exit
      // status is the command's. The output keeps all of it, so a maintainer sees the cause.
      const notStarted = CONTAINER_NOT_STARTED.test(d?.stderr ?? "");
      const exitCode = notStarted ? undefined : exitCodeOf(e);
      // buildah's own last line reports the exit status, which the outcome carries: the output is the test's.
      const stderr = d?.stderr?.replace(/^Error: while running runtime: exit status \d+\n?$/m, "");
      return {
        name: test.name,
        passed: false,
        output: (d?.stdout ?? "") + (stderr ?? e.message),
        ...(exitCode !== undefined ? { exitCode } : {}),
      };
    } finally {
      await this.buildah(["rm", ctr]).catch(() => undefined);
    }
  }

  async cleanup(): Promise<void> {
    if (this.images.size === 0) return;
    // One call for all: each buildah run pays its start-up and a storage lock (~50 ms each under vfs).
    const all = [...this.images];
    this.images.clear();
    await this.buildah(["rmi", "-f", ...all]).catch(async () => {
      // One name gone already fails the whole call: remove the rest one by one.
      for (const img of all) await this.buildah(["rmi", "-f", img]).catch(() => undefined);
    });
  }
}
