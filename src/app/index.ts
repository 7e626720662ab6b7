import type { ApplicationFunctionOptions, Probot } from "probot";
import { onPullRequest, onPullRequestClosed, PerCommit } from "./build.js";
import { onComment, onRerequested } from "./commands.js";
import { deliveryBudgetFrom, DeliveryWork } from "./deliveries.js";
import { registerPromotion } from "./promote.js";
import { defaultRegistryAccess, registerReport, type RegistryAccess } from "./report.js";
import { REVIEW_EVENTS } from "./review.js";

export interface FlibsAppOptions {
  /** How long a delivery's response may wait for its work (default 0: answer at once; GitHub gives up after 10 s). */
  deliveryBudgetMs?: number;
  /** How the App reads built indexes back (default: the standard Docker/Podman credential files). */
  registry?: RegistryAccess;
}

export type FlibsAppFunction = (probot: Probot, options?: ApplicationFunctionOptions) => void;

/** The App and the work it has in flight. Handlers only translate: event -> core -> src/github. */
export function createFlibsApp(options: FlibsAppOptions = {}): { app: FlibsAppFunction; deliveries: DeliveryWork } {
  const deliveries = new DeliveryWork(options.deliveryBudgetMs);
  const serial = new PerCommit();
  const registry = options.registry ?? defaultRegistryAccess();
  const app = (probot: Probot, _options?: ApplicationFunctionOptions): void => {
    // Review, gate and build of a PR's head: one read of the commit for all three (src/app/build.ts).
    probot.on([...REVIEW_EVENTS], async (context) => {
      await deliveries.run(context.log, "flibs/review", async () => {
        await onPullRequest(probot, context, serial);
      });
    });
    probot.on("pull_request.closed", async (context) => {
      await deliveries.run(context.log, "flibs close", async () => {
        await onPullRequestClosed(probot, context);
      });
    });
    probot.on("issue_comment.created", async (context) => {
      await deliveries.run(context.log, "flibs commands", async () => {
        await onComment(probot, context, serial);
      });
    });
    probot.on("check_run.rerequested", async (context) => {
      await deliveries.run(context.log, "flibs re-run", async () => {
        await onRerequested(probot, context, serial);
      });
    });
    registerReport(probot, deliveries, serial, registry);
    registerPromotion(probot, deliveries);
  };
  return { app, deliveries };
}

let flibs: ReturnType<typeof createFlibsApp> | undefined;

/** What `probot run ./dist/app/index.js` loads; `FLIBS_DELIVERY_BUDGET_MS` sets the delivery budget. */
export default function flibsApp(app: Probot, options?: ApplicationFunctionOptions): void {
  const unsigned = productionWithoutSecret(process.env);
  if (unsigned) throw new Error(unsigned);
  flibs ??= createFlibsApp({ deliveryBudgetMs: deliveryBudgetFrom(process.env.FLIBS_DELIVERY_BUDGET_MS) });
  flibs.app(app, options);
}

/**
 * Probot falls back to the secret "development" when WEBHOOK_SECRET is unset: in production that would accept
 * deliveries signed by anyone who has read Probot's source. Refuse to start instead.
 */
export function productionWithoutSecret(env: Record<string, string | undefined>): string | undefined {
  if (env.NODE_ENV !== "production" || (env.WEBHOOK_SECRET ?? "").trim() !== "") return undefined;
  return "flibs: WEBHOOK_SECRET is not set and NODE_ENV is production: set WEBHOOK_SECRET to the App's webhook secret (GitHub signs every delivery with it)";
}
