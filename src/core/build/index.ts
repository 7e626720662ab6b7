export * from "./tags.js";
export * from "./labels.js";
export * from "./from-pin.js";
export * from "./oci-index.js";
export * from "./packages.js";
export * from "./drift.js";
export * from "./record.js";
export * from "./summary.js";
