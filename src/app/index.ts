import type { ApplicationFunctionOptions, Probot } from "probot";
import { registerBuildClose } from "./close-build.js";
import { registerCommands } from "./commands.js";
import { deliveryBudgetFrom, DeliveryWork } from "./deliveries.js";
import { registerJobEvents } from "./job-events.js";
import { registerPromotionProgress } from "./promotion-done.js";
import { onPullRequest, onPullRequestClosed, PULL_REQUEST_EVENTS } from "./pull-request.js";
import { registerPushAndRelease } from "./push-release.js";
import { defaultRegistryAccess, type RegistryAccess } from "./registry-access.js";
import { registerRerun } from "./rerun.js";
import { docsUrlFrom, type Flibs } from "./scope.js";
import { PerCommit } from "./serial.js";

export interface FlibsAppOptions {
  /** How long a delivery's response may wait for its work (default 0: answer at once; GitHub gives up after 10 s). */
  deliveryBudgetMs?: number;
  /** How the App reads built indexes back (default: the standard Docker/Podman credential files). */
  registry?: RegistryAccess;
  /** Base of the rule reference `flibs/review` links to (default `FLIBS_DOCS_URL`). */
  docsUrl?: string;
}

export type FlibsAppFunction = (probot: Probot, options?: ApplicationFunctionOptions) => void;

/**
 * The App and the work it has in flight. Each handler only wires an event to the core and src/github; one
 * per-commit serialiser is shared by builds, reports and promotions.
 */
export function createFlibsApp(options: FlibsAppOptions = {}): { app: FlibsAppFunction; deliveries: DeliveryWork } {
  const deliveries = new DeliveryWork(options.deliveryBudgetMs);
  const docsUrl = options.docsUrl ?? docsUrlFrom(process.env);
  const flibs: Flibs = { serial: new PerCommit(), registry: options.registry ?? defaultRegistryAccess(), ...(docsUrl ? { docsUrl } : {}) };
  const app = (probot: Probot): void => {
    probot.on([...PULL_REQUEST_EVENTS], async (context) => {
      await deliveries.run(context.log, "flibs/review", async () => {
        await onPullRequest(probot, context, flibs);
      });
    });
    probot.on("pull_request.closed", async (context) => {
      await deliveries.run(context.log, "flibs close", async () => {
        await onPullRequestClosed(probot, context, flibs);
      });
    });
    registerCommands(probot, deliveries, flibs);
    registerRerun(probot, deliveries, flibs);
    registerJobEvents(probot, deliveries, flibs);
    registerBuildClose(probot, deliveries, flibs);
    registerPushAndRelease(probot, deliveries, flibs);
    registerPromotionProgress(probot, deliveries, flibs);
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
