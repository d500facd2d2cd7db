import { SourceCreate, SourceCreated } from "../../../schema/contracts/sources";
import { BusinessParams } from "../businesses/get";
import { manage } from "../routes";
import { createSource } from "./service";

export default manage
  .Sources("post", "/{id}/sources", "Create a source and its ingest token (shown only once)")
  .input({ params: BusinessParams, body: SourceCreate })
  .json(201, SourceCreated, "The source with its token")
  .answer(({ param, json }, c) => createSource(c.var.db, param.id, json.name));
