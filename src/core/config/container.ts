import { z } from "zod";
import { ARCHES } from "../platform.js";

export const archSchema = z.enum(ARCHES);

/** A gating test: a command run inside the built image; it passes when it exits 0 (and prints `expect`, if given). */
export const imageTestSchema = z
  .object({
    name: z.string().min(1).describe("Shown in the check run and the build record."),
    command: z
      .union([z.string().min(1), z.array(z.string()).min(1)])
      .describe("Run in the image: an argv list, or a string run by /bin/sh -c inside the image."),
    expect: z.string().optional().describe("Text the command's standard output must contain."),
    arches: z.array(archSchema).optional().describe("Only run on these arches (default: every built arch)."),
  })
  .strict();

/** `container.yaml`: what to build. OSBS's names are kept where they exist (`platforms: {only, not}`). */
export const containerConfigSchema = z
  .object({
    image: z
      .string()
      .regex(/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/, {
        error: "image must be a repository path such as `fedora/httpd` (lowercase, no registry host, no tag)",
      })
      .optional()
      .describe("Repository path under the candidate and stable registries; default: the Git repository's name."),
    dockerfile: z.string().min(1).default("Dockerfile").describe("Path of the Dockerfile in the repo."),
    platforms: z
      .object({
        only: z.array(archSchema).optional().describe("Build only these arches."),
        not: z.array(archSchema).optional().describe("Never build these arches."),
      })
      .strict()
      .default({})
      .describe("OSBS's platform filter, applied to the arches the organisation's policy builds."),
    tags: z
      .array(z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, { error: "not a valid OCI tag" }))
      .default([])
      .describe("Extra tags written on promotion, besides the ones derived from a release tag."),
    version: z.string().optional().describe("The image version label; default: from the release tag or the Dockerfile's `version` LABEL."),
    build_args: z.record(z.string(), z.string()).default({}).describe("`--build-arg` values."),
    tests: z.array(imageTestSchema).default([]).describe("Gating tests run against every built arch."),
  })
  .strict();

export type ContainerConfig = z.infer<typeof containerConfigSchema>;
export type ImageTest = z.infer<typeof imageTestSchema>;
