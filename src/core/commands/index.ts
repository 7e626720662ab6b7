export * from "./parse.js";
export * from "./authorize.js";
export * from "./help.js";
