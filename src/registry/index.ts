export * from "./client.js";
export * from "./credentials.js";
export * from "./transport.js";
export * from "./digest-stream.js";
export * from "./promote.js";
export * from "./store.js";
export * from "./oci-layout.js";
