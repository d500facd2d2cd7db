import { Link } from "react-router";

/** A team page's heading under the way back: `Team / Payments` above `Members`. */
export function WorkspaceHeading({
  workspace,
  title,
}: {
  workspace: { name: string };
  title: string;
}) {
  return (
    <>
      <p>
        <Link to="/team">Team</Link> / {workspace.name}
      </p>
      <h1>{title}</h1>
    </>
  );
}
