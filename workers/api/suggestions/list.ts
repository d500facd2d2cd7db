import { SuggestionList, SuggestionQuery } from "../../../schema/contracts/suggestions";
import { getBusiness } from "../../definitions/businesses";
import { listSuggestions } from "../../definitions/suggestions";
import { BusinessParams } from "../businesses/get";
import { manage } from "../routes";

export default manage
  .Suggestions("get", "/{id}/suggestions", "List the business's suggestions")
  .input({ params: BusinessParams, query: SuggestionQuery })
  .json(200, SuggestionList, "Suggestions, oldest first, and the last run")
  .handle(async (c) => {
    const { id } = c.req.valid("param");
    await getBusiness(c.var.db, id);
    return c.json(await listSuggestions(c.var.db, id, c.req.valid("query").status), 200);
  });
