/**
 * A JSON value: plain data that crosses Durable Object RPC and lands in D1 as
 * it is. Typed so, rather than `unknown`, RPC return types come through intact
 * (the RPC type mapping turns `unknown` into `never`). Nested four levels deep
 * at most: a recursive type is too deep for that mapping to instantiate.
 */
type JsonLeaf = string | number | boolean | null;
type Json1 = JsonLeaf | JsonLeaf[] | { [key: string]: JsonLeaf | JsonLeaf[] };
type Json2 = Json1 | Json1[] | { [key: string]: Json1 };
type Json3 = Json2 | Json2[] | { [key: string]: Json2 };
export type Json = Json3 | Json3[] | { [key: string]: Json3 };

/** A JSON object (an alert's context, a suggestion's evidence). */
export type JsonObject = { [key: string]: Json };
