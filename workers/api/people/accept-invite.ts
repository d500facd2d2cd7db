import { AcceptInvite, SessionCreated } from "../../../schema/contracts/teams";
import { acceptInvitation } from "../../definitions/members";
import { open } from "../routes";
import { signedIn } from "./service";

export default open
  .People(
    "post",
    "/accept-invite",
    "Use a one-time invitation: set (or confirm) the password and sign in",
  )
  .input({ body: AcceptInvite })
  .json(200, SessionCreated, "The new session")
  .problems(404)
  .answer(async ({ json }, c) => {
    const { userId } = await acceptInvitation(c.var.db, json.token, json.password);
    return signedIn(c.var.db, userId);
  });
