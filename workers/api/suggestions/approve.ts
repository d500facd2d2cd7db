import { z } from "@hono/zod-openapi";
import { IdParam } from "../../../schema/contracts/common";
import { Rule } from "../../../schema/contracts/rules";
import { manage } from "../routes";
import { approveSuggestion } from "./service";

export const SuggestionParams = z.object({ id: IdParam("id", "sug_01jz8k3m2qabcdefghjkmnpq") });

export default manage
  .Suggestions("post", "/{id}/approve", "Approve a suggestion: creates its rule")
  .input({ params: SuggestionParams })
  .json(201, Rule, "The rule created from the suggestion")
  .problems(409, 422)
  .answer(({ param }, c) => approveSuggestion(c.env, c.var.db, param.id));
