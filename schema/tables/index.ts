export * from "./activity";
export * from "./alerts";
export { businesses, fields, sources, views } from "./businesses";
export * from "./channels";
export * from "./rules";
export * from "./silences";
export * from "./teams";
