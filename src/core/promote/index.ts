export * from "./version.js";
export * from "./tags.js";
export * from "./report.js";
