import { z } from "@hono/zod-openapi";
import { RuleCreate } from "../../../schema/contracts/rules";
import { compileRule } from "../../business/engine/compile";
import { getBusiness } from "../../definitions/businesses";
import { BusinessParams } from "../businesses/get";
import { manage } from "../routes";

export default manage
  .Rules("post", "/{id}/rules/check", "Check a rule body without saving it")
  .describe(
    "The same validation as creating the rule (expressions type-checked against the fields, windows, schedules), for editors that check as the user types. `200 {ok: true}` or `422` naming the key.",
  )
  .input({ params: BusinessParams, body: RuleCreate })
  .json(200, z.object({ ok: z.literal(true) }), "The rule is valid")
  .answer(async ({ param, json }, c) => {
    compileRule(json, await getBusiness(c.var.db, param.id));
    return { ok: true as const };
  });
