import { FlibsError } from "../../core/errors.js";
import { explainRule, unknownRuleMessage } from "../../core/review/index.js";
import type { CliIo } from "../io.js";

/** `flibs review --explain RULE`: prints the rule's page; an unknown id is a usage error naming the closest. */
export function runExplain(id: string, io: CliIo): number {
  const page = explainRule(id);
  if (page === undefined) throw new FlibsError("usage", unknownRuleMessage(id));
  io.stdout(page);
  return 0;
}
