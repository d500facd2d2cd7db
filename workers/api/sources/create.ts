import { SourceCreate, SourceCreated } from "../../../schema/contracts/sources";
import { BusinessParams } from "../businesses/get";
import { manage } from "../openapi";
import { createSource } from "./service";

export default manage
  .Sources("post", "/{id}/sources", "Create a source and its ingest token (shown only once)")
  .input({ params: BusinessParams, body: SourceCreate })
  .json(201, SourceCreated, "The source with its token")
  .handle(async (c) =>
    c.json(await createSource(c.var.db, c.req.valid("param").id, c.req.valid("json").name), 201),
  );
