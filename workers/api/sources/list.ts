import { listOf } from "../../../schema/contracts/common";
import { Source } from "../../../schema/contracts/sources";
import { BusinessParams } from "../businesses/get";
import { onePage } from "../openapi";
import { manage } from "../routes";
import { listSources } from "./service";

export default manage
  .Sources("get", "/{id}/sources", "List a business's sources (tokens are never shown again)")
  .input({ params: BusinessParams })
  .json(200, listOf(Source, "SourceList"), "The sources")
  .answer(async ({ param }, c) => onePage(await listSources(c.var.db, param.id)));
