import type { ActionFunctionArgs, LoaderFunctionArgs } from "react-router";
import { Form, useActionData, useLoaderData } from "react-router";
import { MemberCreate, MemberPatch } from "../../schema/contracts/teams";
import { CardTable } from "../components/card-table";
import {
  type ActionResult,
  errorsByInput,
  FieldErrors,
  InlineAction,
  SelectField,
  TextField,
} from "../components/forms";
import { WorkspaceHeading } from "../components/workspace-heading";
import { formPost, json, outcome, problemErrors, workspacePage } from "../lib/api.server";
import { parse } from "../lib/parse";
import { canManage, ROLES } from "../lib/team";

export const loader = (args: LoaderFunctionArgs) =>
  workspacePage(args, async (workspace, param) => ({
    members: (await workspace.members.$get({ param }).then(json)).items,
  }));

/** `invite`: the invitation form's, whose problems are shown at its inputs. */
type Result = ActionResult<{ invite?: boolean; inviteUrl?: string; emailed?: boolean }>;

export async function action(args: ActionFunctionArgs): Promise<Result> {
  const { client, text, intent, param } = await formPost(args);
  const members = client.v1.workspaces[":id"].members;
  if (intent === "invite") {
    const body = parse(MemberCreate, { email: text("email"), role: text("role") });
    if (!body.ok) return { invite: true, errors: body.errors };
    const res = await members.$post({ param, json: body.data });
    if (!res.ok) return { invite: true, errors: await problemErrors(res, "email") };
    const invited = await res.json();
    return { errors: [], inviteUrl: invited.inviteUrl, emailed: invited.emailed };
  }
  const member = { ...param, memberId: text("memberId") };
  if (intent === "remove") {
    const res = await members[":memberId"].$delete({ param: member });
    return outcome(res, "member");
  }
  const body = parse(MemberPatch, { role: text("role") });
  if (!body.ok) return { errors: body.errors };
  const res = await members[":memberId"].$patch({ param: member, json: body.data });
  return outcome(res, "member");
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
      <WorkspaceHeading
        workspace={workspace}
        title="Members"
        errors={result?.invite ? undefined : result?.errors}
        notice={
          result?.inviteUrl ? (
            <>
              {result.emailed ? "Invitation emailed. " : "The email could not be sent. "}
              One-time link (shown once): <code>{result.inviteUrl}</code>
            </>
          ) : null
        }
      />
      <CardTable
        rows={members}
        rowKey={(m) => m.id}
        columns={[
          { head: "Email", cell: (m) => m.email },
          {
            head: "Role",
            cell: (m) =>
              manage && grantable.includes(m.role) ? (
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
              ),
          },
          { head: "Status", cell: (m) => m.status },
          manage && {
            head: "",
            cell: (m) =>
              grantable.includes(m.role) ? (
                <InlineAction
                  intent="remove"
                  label="Remove"
                  fields={{ memberId: m.id }}
                  confirm={`Remove ${m.email} from ${workspace.name}?`}
                />
              ) : null,
          },
        ]}
      />
      {manage ? (
        <>
          <h2>Invite</h2>
          <Form method="post" className="inline">
            <input type="hidden" name="intent" value="invite" />
            <TextField label="Email" name="email" type="email" required errors={invite} />
            <SelectField label="Role" name="role" defaultValue="viewer" errors={invite}>
              {grantable.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </SelectField>
            <button type="submit">Invite</button>
          </Form>
          <FieldErrors errors={invite.rest} />
        </>
      ) : null}
    </section>
  );
}
