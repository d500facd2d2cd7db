import { SessionCreated, SignIn } from "../../../schema/contracts/teams";
import { checkPassword } from "../../definitions/people";
import { unauthorized } from "../../lib/errors";
import { open } from "../routes";
import { signedIn } from "./service";

export default open
  .People("post", "/sign-in", "Sign in with email and password: a new session token")
  .describe(
    "Failed attempts are throttled per email and per client address (429 with Retry-After).",
  )
  .input({ body: SignIn })
  .json(200, SessionCreated, "The session")
  .problems(401, 429)
  .handle(async (c) => {
    const { email, password } = c.req.valid("json");
    const address = c.req.header("cf-connecting-ip") ?? "unknown";
    const user = await checkPassword(c.var.db, email, password, address);
    if (!user) throw unauthorized("The email or password is wrong.");
    return c.json(await signedIn(c.var.db, user.id), 200);
  });
