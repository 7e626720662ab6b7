import type { Arch } from "../core/platform.js";
import type { ImageTest } from "../core/config/index.js";

export interface BuildSpec {
  arch: Arch;
  contextDir: string;
  /** Path of the Dockerfile to build (already pinned, with the buildinfo COPY appended). */
  dockerfile: string;
  labels: Record<string, string>;
  buildArgs: Record<string, string>;
  /** Commit time: image `created`, history and file times are set to it. */
  sourceDateEpoch: number;
  /** Named build contexts (`COPY --from=<name>`), e.g. the embedded Dockerfile's directory. */
  buildContexts: Record<string, string>;
  /** Where to push: `host/repo:tag`, or `oci:/abs/path:tag` to write into an OCI image layout. */
  destination: string;
  /** Hosts reached without TLS verification (loopback and policy's insecure registries). */
  insecure: boolean;
  /** A containers-auth.json / Docker config.json with the push credentials. */
  authFile?: string;
  /**
   * Whether `runTest` will be called (default true). When not, a builder may commit straight to the registry
   * and keep no local image (buildah: no local commit, push and removal; the same digest either way).
   */
  localImage?: boolean;
  onOutput?: (chunk: string) => void;
  /** Called when the image is built and its push, a step of its own, begins (buildah with a local image). */
  onPush?: () => void;
}

export interface BuiltImage {
  /** Manifest digest as pushed; undefined when the builder cannot tell: read the destination's tag. */
  digest?: string;
  /** What `runTest` takes: a local image name (buildah) or the pushed reference (buildx). */
  handle: string;
}

export interface TestOutcome {
  name: string;
  passed: boolean;
  output: string;
  /** The command's exit status, when the builder could tell. */
  exitCode?: number;
}

/** One interface, two backends: Fedora's buildah, and docker buildx where there is a Docker engine. */
export interface Builder {
  readonly name: "buildah" | "buildx";
  buildAndPush(spec: BuildSpec): Promise<BuiltImage>;
  runTest(image: BuiltImage, arch: Arch, test: ImageTest, insecure: boolean): Promise<TestOutcome>;
  /** Removes local images and containers this builder made. */
  cleanup(): Promise<void>;
}
