import type { z } from "@hono/zod-openapi";
import { IdParam, listOf } from "../../schema/contracts/common";
import type { Routes } from "./routes";

type IdSchema = ReturnType<typeof IdParam>;

/** Where one kind of item lives: its collection, its id, its schema and its name. */
interface ItemSpec<C extends string, K extends string, T extends z.ZodType> {
  /** The collection's path (`/{id}/channels`) and its parameters (the owner's id). */
  collection: C;
  owner: z.ZodObject<{ id: IdSchema }>;
  /** The item's path parameter (`channelId`) and an example of it. */
  id: K;
  example: string;
  /** What a read or a change answers, and what the answers call it ("channel"). */
  schema: T;
  name: string;
}

/**
 * The routes of one kind of item under an owner (a business's channels, a
 * workspace's members), decided once: the collection's path and the item's
 * (`/{id}/channels/{channelId}`), their path parameters (`params`), the
 * methods, statuses and answers. Each route file adds its summary, the body it
 * reads and its handler, and may still add `.describe()`, `.problems()`:
 * `channels.update("Change a channel", ChannelPatch).answer(…)`.
 */
export function itemRoutes<C extends string, K extends string, T extends z.ZodType>(
  routes: Routes<401>,
  spec: ItemSpec<C, K, T>,
) {
  const { collection, owner, id, example, schema, name } = spec;
  const item = `${collection}/{${id}}` as const;
  const params = owner.extend({ [id]: IdParam(id, example) } as Record<K, IdSchema>);
  return {
    params,
    /** `POST` on the collection: answers 201 with `answer` (the new item, perhaps with a secret). */
    create: <B extends z.ZodType, A extends z.ZodType>(
      summary: string,
      body: B,
      answer: A,
      answered = `The new ${name}`,
    ) =>
      routes("post", collection, summary)
        .input({ params: owner, body })
        .json(201, answer, answered),
    /** `GET` on the collection: answers all of it, in one page (`onePage`). */
    list: (summary: string, listName: string) =>
      routes("get", collection, summary)
        .input({ params: owner })
        .json(200, listOf(schema, listName), `The ${name}s`),
    /** `GET` on an item. */
    get: (summary: string) =>
      routes("get", item, summary).input({ params }).json(200, schema, `The ${name}`),
    /** `PATCH` on an item: answers 200 with the changed item. */
    update: <B extends z.ZodType>(summary: string, body: B) =>
      routes("patch", item, summary)
        .input({ params, body })
        .json(200, schema, `The changed ${name}`),
    /** `DELETE` on an item: answers 204 (`answered`: what that means, "Removed" unless told). */
    remove: (summary: string, answered = "Removed") =>
      routes("delete", item, summary).input({ params }).empty(204, answered),
  };
}
