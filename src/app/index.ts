import type { ApplicationFunctionOptions, Probot } from "probot";
import { DeliveryWork } from "./deliveries.js";
import { registerPromotion } from "./promote.js";
import { REVIEW_EVENTS, reviewPullRequest } from "./review.js";

export interface FlibsAppOptions {
  /** How long a delivery's response may wait for its work (GitHub gives up after 10 s). */
  deliveryBudgetMs?: number;
}

export type FlibsAppFunction = (probot: Probot, options?: ApplicationFunctionOptions) => void;

/** The App and the work it has in flight. Handlers only translate: event -> core -> src/github. */
export function createFlibsApp(options: FlibsAppOptions = {}): { app: FlibsAppFunction; deliveries: DeliveryWork } {
  const deliveries = new DeliveryWork(options.deliveryBudgetMs);
  const app = (probot: Probot, _options?: ApplicationFunctionOptions): void => {
    probot.on([...REVIEW_EVENTS], async (context) => {
      await deliveries.run(context.log, "flibs/review", async () => {
        await reviewPullRequest(probot, context);
      });
    });
    registerPromotion(probot, deliveries);
  };
  return { app, deliveries };
}

const flibs = createFlibsApp();

/** What `probot run ./dist/app/index.js` loads. */
export default function flibsApp(app: Probot, options?: ApplicationFunctionOptions): void {
  flibs.app(app, options);
}
