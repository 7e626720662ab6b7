import type { ApplicationFunctionOptions, Probot } from "probot";
import { REVIEW_EVENTS, reviewPullRequest } from "./review.js";

/** The Probot App (`probot run ./dist/app/index.js`). Handlers only translate: event -> core -> src/github. */
export default function flibsApp(app: Probot, _options?: ApplicationFunctionOptions): void {
  app.on([...REVIEW_EVENTS], async (context) => {
    await reviewPullRequest(app, context);
  });
}
