export * from "./client.js";
export * from "./credentials.js";
export * from "./transport.js";
export * from "./digest-stream.js";
export * from "./promote.js";
