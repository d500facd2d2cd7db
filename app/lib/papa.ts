import type * as PapaApi from "papaparse";
// @ts-expect-error: the minified build has no types of its own; it is papaparse's API (typed below)
import minified from "papaparse/papaparse.min.js";

/**
 * papaparse, from its minified build: the same API without the Node stream
 * support, whose `require("stream")` the UI's workerd bundle cannot resolve.
 */
export const Papa = minified as typeof PapaApi;
