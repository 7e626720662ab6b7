export * from "./model.js";
export { parseDockerfile, KNOWN_INSTRUCTIONS, type ParseOptions } from "./parse.js";
export { parseImageName, imageUnder, type ImageName } from "./image-ref.js";
export { substitute } from "./substitute.js";
