export * from "./build-id.js";
export * from "./gate.js";
export * from "./dispatch.js";
export * from "./promotion.js";
export * from "./run-identity.js";
