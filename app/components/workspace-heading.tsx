import type { ReactNode } from "react";
import { Link } from "react-router";
import { type FieldError, FieldErrors } from "./forms";

/**
 * A team page's heading under the way back (`Team / Payments` above
 * `Members`), then the problems of its last action that no input shows and
 * what that action has to say once (a new key, an invitation link).
 */
export function WorkspaceHeading({
  workspace,
  title,
  errors,
  notice,
}: {
  workspace: { name: string };
  title: string;
  errors?: FieldError[] | undefined;
  notice?: ReactNode;
}) {
  return (
    <>
      <p>
        <Link to="/team">Team</Link> / {workspace.name}
      </p>
      <h1>{title}</h1>
      <FieldErrors errors={errors} />
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
    </>
  );
}
