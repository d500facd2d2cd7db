import { listOf } from "../../../schema/contracts/common";
import { Source } from "../../../schema/contracts/sources";
import { BusinessParams } from "../businesses/get";
import { manage } from "../openapi";
import { listSources } from "./service";

export default manage
  .Sources("get", "/{id}/sources", "List a business's sources (tokens are never shown again)")
  .input({ params: BusinessParams })
  .json(200, listOf(Source, "SourceList"), "The sources")
  .handle(async (c) =>
    c.json({ items: await listSources(c.var.db, c.req.valid("param").id), nextCursor: null }, 200),
  );
