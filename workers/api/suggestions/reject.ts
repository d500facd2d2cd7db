import { Suggestion } from "../../../schema/contracts/suggestions";
import { manage } from "../routes";
import { SuggestionParams } from "./approve";
import { rejectSuggestion } from "./service";

export default manage
  .Suggestions("post", "/{id}/reject", "Reject a suggestion; the same idea is not suggested again")
  .input({ params: SuggestionParams })
  .json(200, Suggestion, "The rejected suggestion")
  .problems(409)
  .answer(({ param }, c) => rejectSuggestion(c.var.db, param.id));
