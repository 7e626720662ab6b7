/**
 * Workflow files read from the local repositories, parsed and validated against GitHub's workflow schema by
 * `@actions/workflow-parser` (expressions, allowed contexts, keys and types), converted with the reusable
 * workflows a job `uses:` loaded through the parser's `FileProvider` (one level, as the parser fetches; deeper
 * levels are loaded when the called workflow itself runs). The parser's converted model leaves out some keys
 * (a workflow's `name`, `run-name`, `permissions`, `defaults`; a job's `permissions`, `timeout-minutes`,
 * `defaults`; a step's `with`, `shell`, `working-directory`, `timeout-minutes`): those are read from the
 * parser's own token tree, never from the YAML again.
 */
import type { LocalRepos } from "./git-repos.js";
import {
  convertWorkflowTemplate,
  isMapping,
  isSequence,
  NoOperationTraceWriter,
  parseWorkflow,
  type FileProvider,
  type MappingToken,
  type TemplateToken,
  type WorkflowTemplate,
} from "./parser.js";

export class WorkflowLoadError extends Error {
  constructor(
    readonly file: string,
    readonly errors: string[],
  ) {
    super(`${file}: ${errors.join("; ")}`);
  }
}

export interface LoadedWorkflow {
  template: WorkflowTemplate;
  root: MappingToken;
  repo: string;
  sha: string;
  ref: string;
  path: string;
}

/** `owner/repo/path@ref` or `./path` (a workflow of the same repository at the same commit). */
export function parseUses(uses: string, from: { repo: string; sha: string }): { repo: string; path: string; ref: string } {
  if (uses.startsWith("./")) return { repo: from.repo, path: uses.slice(2), ref: from.sha };
  const m = /^([^/]+)\/([^/]+)\/(.+)@(.+)$/.exec(uses);
  if (!m) throw new Error(`invalid reusable workflow reference '${uses}'`);
  return { repo: `${m[1]}/${m[2]}`, path: m[3]!, ref: m[4]! };
}

function fileProvider(repos: LocalRepos, from: { repo: string; sha: string }): FileProvider {
  return {
    async getFileContent(ref) {
      const target =
        "repository" in ref
          ? { repo: `${ref.owner}/${ref.repository}`, path: ref.path, ref: ref.version }
          : { repo: from.repo, path: ref.path.replace(/^\.\//, ""), ref: from.sha };
      const content = await repos.show(target.repo, target.ref, target.path);
      if (content === undefined) throw new Error(`${target.repo}/${target.path}@${target.ref} not found`);
      return { name: `${target.repo}/${target.path}@${target.ref}`, content };
    },
  };
}

/**
 * Workflows parsed, by the commit and path they were read at: a commit's file never changes, and parsing one (with
 * the reusable workflows it calls) costs tens of milliseconds. The reusable workflows are validated as they were at
 * the first load; running one loads it again at the ref it names.
 */
const parsed = new Map<string, Promise<Omit<LoadedWorkflow, "repo" | "ref">>>();

export async function loadWorkflow(repos: LocalRepos, repo: string, ref: string, path: string): Promise<LoadedWorkflow> {
  const sha = await repos.resolveCommit(repo, ref);
  const key = `${sha}:${path}`;
  let loaded = sha ? parsed.get(key) : undefined;
  if (!loaded) {
    loaded = parse(repos, repo, ref, path, sha);
    if (sha) {
      parsed.set(key, loaded);
      loaded.catch(() => parsed.delete(key));
    }
  }
  return { ...(await loaded), repo, ref };
}

async function parse(
  repos: LocalRepos,
  repo: string,
  ref: string,
  path: string,
  sha: string | undefined,
): Promise<Omit<LoadedWorkflow, "repo" | "ref">> {
  const name = `${repo}/${path}@${ref}`;
  const content = sha ? await repos.show(repo, sha, path) : undefined;
  if (!sha || content === undefined) throw new WorkflowLoadError(name, [`no file ${path} at ${ref} in ${repo}`]);
  const result = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  if (!result.value || result.context.errors.getErrors().length > 0)
    throw new WorkflowLoadError(
      name,
      result.context.errors.getErrors().map((e) => e.message),
    );
  const template = await convertWorkflowTemplate(result.context, result.value, fileProvider(repos, { repo, sha }), {
    fetchReusableWorkflowDepth: 1,
  });
  if (template.errors?.length)
    throw new WorkflowLoadError(
      name,
      template.errors.map((e) => e.Message),
    );
  if (!isMapping(result.value)) throw new WorkflowLoadError(name, ["the workflow is not a mapping"]);
  return { template, root: result.value, sha, path };
}

/** A key of a mapping token, or undefined. */
export function field(token: TemplateToken | undefined, key: string): TemplateToken | undefined {
  return token && isMapping(token) ? token.find(key) : undefined;
}

/** The parser's token of job `id` of a workflow. */
export function rawJob(workflow: LoadedWorkflow, id: string): TemplateToken | undefined {
  return field(field(workflow.root, "jobs"), id);
}

/** The parser's token of the `index`-th step of a job (the converted steps keep the file's order). */
export function rawStep(job: TemplateToken | undefined, index: number): TemplateToken | undefined {
  const steps = field(job, "steps");
  return steps && isSequence(steps) && index < steps.count ? steps.get(index) : undefined;
}
