/**
 * A rule (or silence schedule) the engine cannot run: `path` names the offending
 * key, `message` says what is wrong with it. Thrown by compilation; only api/
 * turns it into a 422 problem.
 */
export class RuleDefinitionError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = "RuleDefinitionError";
  }
}

export const refuse = (path: string, message: string) => new RuleDefinitionError(path, message);
