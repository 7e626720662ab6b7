export * from "./reference.js";
export * from "./digest.js";
export * from "./media-types.js";
export * from "./manifest.js";
export * from "./auth-challenge.js";
export * from "./summary.js";
export * from "./layout.js";
