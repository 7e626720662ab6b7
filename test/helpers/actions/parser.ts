/**
 * GitHub's own workflow parser, `@actions/workflow-parser`, loadable on Node 20. Its 0.3.x builds import
 * their JSON schemas (`workflow-v1.0.min.json`, `action-v1.0.min.json`) without `with { type: "json" }`, which
 * Node 20 refuses ("needs an import attribute of type json"). A module load hook adds the attribute for those
 * files only; it is registered before the first import, so it works in plain node and in vitest's workers
 * (which load node_modules through node's own loader).
 */
import { register } from "node:module";

const HOOK = `export async function load(url, context, next) {
  if (url.includes("/@actions/workflow-parser/") && url.endsWith(".json")) {
    return next(url, { ...context, importAttributes: { ...context.importAttributes, type: "json" } });
  }
  return next(url, context);
}`;
register(`data:text/javascript,${encodeURIComponent(HOOK)}`);

const workflows = await import("@actions/workflow-parser");
const actions = await import("@actions/workflow-parser/actions/index");

export const {
  parseWorkflow,
  convertWorkflowTemplate,
  NoOperationTraceWriter,
  isString,
  isMapping,
  isSequence,
  isBasicExpression,
  isLiteral,
} = workflows;
export const { parseAction, convertActionTemplate } = actions;

export type { WorkflowTemplate } from "@actions/workflow-parser";
export type { TemplateToken } from "@actions/workflow-parser/templates/tokens/template-token";
export type { MappingToken } from "@actions/workflow-parser/templates/tokens/mapping-token";
export type { BasicExpressionToken } from "@actions/workflow-parser/templates/tokens/basic-expression-token";
export type {
  WorkflowJob,
  Job,
  ReusableWorkflowJob,
  Step,
  ActionStep,
  RunStep,
  InputConfig,
} from "@actions/workflow-parser/model/workflow-template";
export type { FileProvider } from "@actions/workflow-parser/workflows/file-provider";
export type { FileReference } from "@actions/workflow-parser/workflows/file-reference";
export type { ActionTemplate } from "@actions/workflow-parser/actions/action-template";
