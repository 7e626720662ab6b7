export * from "./types.js";
export {
  BuildahBuilder,
  buildahBudArgs,
  buildahEnv,
  buildahGlobalArgs,
  buildahUsernsArgs,
  rootUserns,
  ROOT_USERNS,
  type BuildahOptions,
} from "./buildah.js";
export { createJobDir, mountsUnder, type JobDir } from "./job-storage.js";
export { onStop, stopChildren, isStopping } from "./terminate.js";
export { BuildxBuilder, buildxArgs, buildxTestArgs } from "./buildx.js";
export { selectBuilder, parseBuilderChoice, type BuilderChoice } from "./select.js";
export { buildArch, type BuildArchOptions, type ArchBuildResult } from "./build-arch.js";
export { publish, type PublishOptions, type PublishResult, type PublishedArch } from "./publish.js";
export { StepClock, type StepHandle } from "./step-clock.js";
export { readImagePackages, type ImagePackages } from "./packages.js";
export { commitInfo, type CommitInfo } from "./git.js";
export { filesFromLayers, readTar, LayeredFiles, TarScanner, TopDownFiles } from "./tar.js";
export { run, works, onPath } from "./exec.js";
