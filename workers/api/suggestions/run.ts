import { SuggestionList } from "../../../schema/contracts/suggestions";
import { runProfile } from "../../profile/run";
import { BusinessParams } from "../businesses/get";
import { manage } from "../routes";

export default manage
  .Suggestions("post", "/{id}/suggestions/run", "Run the profile engine now")
  .describe(
    "Learns from the business's history (up to 28 days, from its Durable Object and the R2 archive) and drafts rules: absence windows from arrival rhythms, ranges or anomaly rules for numeric fields, daily totals, failure rates. Answers the pending suggestions and the run's notes (what was not suggested and why). The same run happens daily on the Cron Trigger.",
  )
  .input({ params: BusinessParams })
  .json(200, SuggestionList, "Pending suggestions after the run")
  .answer(({ param }, c) => runProfile(c.env, c.var.db, param.id));
