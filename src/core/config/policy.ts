import { z } from "zod";
import { ARCHES } from "../platform.js";
import { archSchema } from "./container.js";

/**
 * The Fedora container guidelines' required LABELs for a layered image
 * (docs.fedoraproject.org, containers/guidelines/creation). `architecture` is listed there as optional
 * (omitted means "all arches"), and flibs injects it at build time, so it is not demanded of the Dockerfile.
 */
export const FEDORA_REQUIRED_LABELS = ["com.redhat.component", "name", "version", "summary", "maintainer"] as const;

export const permissionSchema = z.enum(["read", "triage", "write", "maintain", "admin"]);
export type Permission = z.infer<typeof permissionSchema>;

const runsOn = z.array(z.string().min(1)).min(1);

/**
 * What a pull request cannot waive for itself: where bases come from and which labels the organisation requires
 * (its policy), and unsigned packages or piped downloads (what the image runs was not vetted).
 */
export const NOT_IGNORABLE = ["base-image-registry", "required-labels", "no-gpgcheck", "curl-pipe-shell"] as const;

const ruleLevelSchema = z.enum(["off", "info", "warning", "error"]);

/**
 * How a build's RUN steps are isolated from the runner. `oci`: an OCI runtime (runc) with its own mount, PID
 * and network namespaces, container root mapped to an unprivileged host uid; a RUN cannot reach the runner.
 * `chroot`: a chroot a RUN step can leave, only for runners that are ephemeral (one job, then discarded).
 */
export const isolationSchema = z.enum(["oci", "chroot"]);
export type Isolation = z.infer<typeof isolationSchema>;

/** Organisation policy, `.github/flibs.yml` in the org's `.github` repository. */
export const policySchema = z
  .object({
    arches: z
      .array(archSchema)
      .min(1)
      .default([...ARCHES])
      .describe("Arches the organisation has runners for."),
    approved_base_registries: z
      .array(z.string().min(1))
      .default(["registry.fedoraproject.org", "quay.io/fedora"])
      .describe("Registry hosts (or host/namespace prefixes) a FROM may name."),
    required_labels: z
      .array(z.string().min(1))
      .default([...FEDORA_REQUIRED_LABELS])
      .describe("LABELs every image must set."),
    runner_labels: z
      .object({
        ...Object.fromEntries(ARCHES.map((a) => [a, runsOn.optional()])),
        control: runsOn
          .default(["ubuntu-latest"])
          .describe("`runs-on` of the prepare and publish jobs: never a runner that builds pull request code."),
        promote: runsOn
          .default(["ubuntu-latest"])
          .describe("`runs-on` of the promote job (stable credentials): never a runner that builds pull request code."),
      } as Record<(typeof ARCHES)[number], z.ZodOptional<typeof runsOn>> & {
        control: z.ZodDefault<typeof runsOn>;
        promote: z.ZodDefault<typeof runsOn>;
      })
      .strict()
      .default({ control: ["ubuntu-latest"], promote: ["ubuntu-latest"] })
      .describe(
        "`runs-on` labels per arch (default `[self-hosted, linux, <arch>]`), and of the `control` (prepare, publish) and `promote` jobs (default a GitHub-hosted `ubuntu-latest`).",
      ),
    registries: z
      .object({
        candidate: z.string().min(1).describe("Where builds are pushed, e.g. `ghcr.io/my-org/candidates`."),
        stable: z.string().min(1).describe("Where promoted images go, e.g. `ghcr.io/my-org`."),
        insecure: z.array(z.string()).default([]).describe("Registry hosts reached over plain HTTP (loopback always is)."),
      })
      .strict()
      .optional(),
    promote: z
      .object({
        permission: permissionSchema.default("maintain").describe("Least repository permission needed for /promote."),
        environment: z.string().min(1).default("stable").describe("GitHub environment promote.yml runs in."),
        latest: z.boolean().default(true).describe("Whether a release moves the `latest` tag."),
        workflow: z.string().min(1).default("flibs-promote.yml").describe("The promote caller workflow file in the container repo."),
      })
      .strict()
      .default({ permission: "maintain", environment: "stable", latest: true, workflow: "flibs-promote.yml" }),
    build: z
      .object({
        permission: permissionSchema.default("write").describe("Least permission to build at once or to /ok-to-test."),
        component_drift: z.enum(["warn", "fail"]).default("warn").describe("What a package version differing between arches does."),
        workflow: z.string().min(1).default("flibs.yml").describe("The caller workflow file in the container repo."),
        ok_to_test_sha: z
          .enum(["optional", "required"])
          .default("optional")
          .describe("`required`: `/ok-to-test` must name the commit the reviewer read (`/ok-to-test <sha>`, 7 or more hex digits)."),
        isolation: isolationSchema
          .default("oci")
          .describe("How RUN steps are isolated: `oci` (runc), or `chroot` for ephemeral runners only."),
      })
      .strict()
      .default({ permission: "write", component_drift: "warn", workflow: "flibs.yml", ok_to_test_sha: "optional", isolation: "oci" }),
    rules: z.record(z.string(), ruleLevelSchema).default({}).describe("Severity per review rule id, or `off`."),
    not_ignorable: z
      .array(z.string().min(1))
      .default([...NOT_IGNORABLE])
      .describe("Rule ids a repository's `# flibs-ignore` cannot silence: the organisation's own rules and the supply-chain ones."),
  })
  .strict();

export type Policy = z.infer<typeof policySchema>;
export type RuleLevel = z.infer<typeof ruleLevelSchema>;
