import { resolve } from "node:path";
import { commitInfo, publish } from "../../builder/index.js";
import { parseArchDigests } from "../../core/build/index.js";
import { FlibsError } from "../../core/errors.js";
import { parseReference } from "../../core/oci/reference.js";
import type { CliIo } from "../io.js";
import { cliClient, parsePlatforms } from "./common.js";

export interface PublishCliOptions {
  dir: string;
  push: string;
  platforms: string;
  sha?: string;
  digest: string[];
  insecure: string[];
  failOnDrift?: boolean;
}

/** `flibs publish`: the index step alone, from per-arch images already in the registry. */
export async function runPublish(o: PublishCliOptions, io: CliIo): Promise<number> {
  const arches = parsePlatforms(o.platforms);
  const dest = parseReference(o.push);
  if (!dest.tag || dest.digest) throw new FlibsError("usage", "--push must be HOST/REPO:TAG");
  const dir = resolve(io.cwd, o.dir);
  const commit =
    o.sha && /^[0-9a-f]{40}$/.test(o.sha) ? await commitInfo(dir, o.sha).catch(() => undefined) : await commitInfo(dir, "HEAD");
  const sha = o.sha ?? commit!.sha;
  if (!/^[0-9a-f]{40}$/.test(sha)) throw new FlibsError("usage", `--sha must be a full commit SHA, got ${JSON.stringify(sha)}`);
  const digests = o.digest.length
    ? parseArchDigests(
        JSON.stringify(
          Object.fromEntries(
            o.digest.map((d) => {
              const eq = d.indexOf("=");
              if (eq < 0) throw new FlibsError("usage", `--digest must be ARCH=sha256:..., got ${JSON.stringify(d)}`);
              return [d.slice(0, eq), d.slice(eq + 1)];
            }),
          ),
        ),
      )
    : undefined;
  const { client } = await cliClient(io, o.insecure);
  const p = await publish({
    client,
    repository: { registry: dest.registry, repository: dest.repository },
    sha,
    arches,
    digests,
    tags: [dest.tag],
    tree: commit?.tree,
    sourceDateEpoch: commit?.time,
    driftPolicy: o.failOnDrift ? "fail" : "warn",
  });
  for (const r of p.rows) io.stdout(`${r.arch}\t${r.digest}\n`);
  for (const d of p.drift)
    io.stderr(
      `component drift: ${d.name} ${Object.entries(d.versions)
        .map(([a, v]) => `${a}=${v}`)
        .join(" ")}\n`,
    );
  io.stdout(`${dest.registry}/${dest.repository}:${dest.tag}@${p.indexDigest}\n`);
  return p.failed ? 1 : 0;
}
