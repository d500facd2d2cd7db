import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { Form, Link, useActionData, useLoaderData } from "react-router";
import { errorsByInput, FieldErrors, InlineAction } from "../components/forms";
import { api, json, problemErrors } from "../lib/api.server";
import { assertSameOrigin } from "../lib/session.server";
import { canManage, ROLES, type Role } from "../lib/team";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const client = await api(request, context.cloudflare.env);
  const param = { id: params.id ?? "" };
  const [workspace, members] = await Promise.all([
    client.v1.workspaces[":id"].$get({ param }).then(json),
    client.v1.workspaces[":id"].members.$get({ param }).then(json),
  ]);
  return { workspace, members: members.items };
}

type Result = {
  /** Set for the invitation form, whose problems are shown at its inputs. */
  invite?: boolean;
  errors: { path: string; message: string }[];
  inviteUrl?: string;
  emailed?: boolean;
};

export async function action({ request, params, context }: ActionFunctionArgs): Promise<Result> {
  assertSameOrigin(request);
  const client = await api(request, context.cloudflare.env);
  const id = params.id ?? "";
  const form = await request.formData();
  const text = (k: string) => String(form.get(k) ?? "").trim();
  const intent = text("intent");
  const role = text("role") as Role;
  if (intent === "invite") {
    const res = await client.v1.workspaces[":id"].members.$post({
      param: { id },
      json: { email: text("email"), role },
    });
    if (!res.ok) return { invite: true, errors: await problemErrors(res, "email") };
    const invited = await res.json();
    return { errors: [], inviteUrl: invited.inviteUrl, emailed: invited.emailed };
  }
  const param = { id, memberId: text("memberId") };
  const res =
    intent === "remove"
      ? await client.v1.workspaces[":id"].members[":memberId"].$delete({ param })
      : await client.v1.workspaces[":id"].members[":memberId"].$patch({ param, json: { role } });
  return res.ok ? { errors: [] } : { errors: await problemErrors(res, "member") };
}

/** Members and pending invitations; admins and owners invite, change roles and remove. */
export default function TeamMembers() {
  const { workspace, members } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const manage = canManage(workspace.role);
  const grantable = ROLES.filter((r) => r !== "owner" || workspace.role === "owner");
  const invite = errorsByInput(
    result?.invite ? result.errors : undefined,
    ["email", "role"],
    "invite",
  );
  return (
    <section>
      <p>
        <Link to="/team">Team</Link> / {workspace.name}
      </p>
      <h1>Members</h1>
      <FieldErrors errors={result?.invite ? undefined : result?.errors} />
      {result?.inviteUrl ? (
        <p className="notice" role="status">
          {result.emailed ? "Invitation emailed. " : "The email could not be sent. "}
          One-time link (shown once): <code>{result.inviteUrl}</code>
        </p>
      ) : null}
      <table className="table cards-on-phone">
        <thead>
          <tr>
            <th>Email</th>
            <th>Role</th>
            <th>Status</th>
            {manage ? <th /> : null}
          </tr>
        </thead>
        <tbody>
          {members.map((m) => (
            <tr key={m.id}>
              <td>{m.email}</td>
              <td>
                {manage && grantable.includes(m.role) ? (
                  <Form method="post" className="inline">
                    <input type="hidden" name="intent" value="role" />
                    <input type="hidden" name="memberId" value={m.id} />
                    <select name="role" defaultValue={m.role} aria-label={`Role of ${m.email}`}>
                      {grantable.map((r) => (
                        <option key={r}>{r}</option>
                      ))}
                    </select>
                    <button type="submit">Change</button>
                  </Form>
                ) : (
                  m.role
                )}
              </td>
              <td>{m.status}</td>
              {manage ? (
                <td>
                  {grantable.includes(m.role) ? (
                    <InlineAction
                      intent="remove"
                      label="Remove"
                      fields={{ memberId: m.id }}
                      confirm={`Remove ${m.email} from ${workspace.name}?`}
                    />
                  ) : null}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      {manage ? (
        <>
          <h2>Invite</h2>
          <Form method="post" className="inline">
            <input type="hidden" name="intent" value="invite" />
            <label>
              Email
              <input name="email" type="email" required {...invite.described("email")} />
              {invite.message("email")}
            </label>
            <label>
              Role
              <select name="role" defaultValue="viewer" {...invite.described("role")}>
                {grantable.map((r) => (
                  <option key={r}>{r}</option>
                ))}
              </select>
              {invite.message("role")}
            </label>
            <button type="submit">Invite</button>
          </Form>
          <FieldErrors errors={invite.rest} />
        </>
      ) : null}
    </section>
  );
}
