/**
 * The API's refusals as sentences a person acts on. Problem details name the
 * field and say what is wrong in the API's terms (zod's "Too small: expected
 * string to have >=1 characters", the checker's "unknown field 'amount'");
 * the UI shows them at their input in plain words, and a refusal without a
 * field (403, 404, 409, 429, 5xx) as what to do next.
 */

/** One refused input, as the API names it. */
export interface FieldError {
  path: string;
  message: string;
}

const rewrites: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^Invalid input: expected \w+, received undefined$/, () => "is required"],
  [/^Invalid input: expected (number|integer), received \w+$/, () => "must be a number"],
  [/^Invalid input: expected boolean, received \w+$/, () => "must be yes or no"],
  [/^Invalid input: expected (\w+), received (\w+)$/, (m) => `must be a ${m[1]}, not a ${m[2]}`],
  [/^Too small: expected string to have >=1 characters?$/, () => "cannot be empty"],
  [
    /^Too small: expected string to have >=(\d+) characters$/,
    (m) => `is too short: at least ${m[1]} characters`,
  ],
  [
    /^Too big: expected string to have <=(\d+) characters$/,
    (m) => `is too long: at most ${Number(m[1]).toLocaleString("en-US")} characters`,
  ],
  [
    /^Too small: expected array to have >=(\d+) items?$/,
    (m) => `needs at least ${m[1]} ${m[1] === "1" ? "entry" : "entries"}`,
  ],
  [/^Too big: expected array to have <=(\d+) items$/, (m) => `has more than ${m[1]} entries`],
  [/^Too small: expected number to be >(=?)(-?[\d.]+)$/, (m) => `must be at least ${m[2]}`],
  [/^Too big: expected number to be <(=?)(-?[\d.]+)$/, (m) => `must be at most ${m[2]}`],
  [
    /^Invalid option: expected one of (.+)$/,
    (m) => `must be one of ${m[1]?.replaceAll('"', "").split("|").join(", ")}`,
  ],
  [/^Unrecognized keys?: (.+)$/, (m) => `${m[1]?.replaceAll('"', "")} is not a setting here`],
  [/^Invalid string: must match pattern .*$/, () => "has characters that are not allowed here"],
  [/^Invalid (email address|email)$/, () => "is not an email address"],
  [/^Invalid URL$/, () => "is not a web address (https://…)"],
  [/^Invalid input$/, () => "is not valid here"],
  [/^unknown field '(.+)'$/, (m) => `there is no field “${m[1]}” in this business`],
  [
    /^'(.+)' is not a field of this business$/,
    (m) => `there is no field “${m[1]}” in this business`,
  ],
  [/^'(.+)' is not a (rule|channel) of this business$/, (m) => `that ${m[2]} no longer exists`],
  [
    /^Unknown variable: ([\w.]+)(.*)$/,
    (m) => `there is no field “${m[1]}” in this business${at(m[2])}`,
  ],
  [/^Unexpected token: EOF(.*)$/, () => "is not finished: something is missing at the end"],
  [/^Unexpected token: (\w+)(.*)$/, (m) => `has ${token(m[1])} where it does not fit${at(m[2])}`],
  [/^Expected (\w+), got EOF(.*)$/, (m) => `is not finished: ${token(m[1])} is missing at the end`],
  [
    /^Expected (\w+), got (\w+)(.*)$/,
    (m) => `needs ${token(m[1])} instead of ${token(m[2])}${at(m[3])}`,
  ],
  [
    /^no such overload: (\w+) (\S+) (\w+)(.*)$/,
    (m) => `cannot use ${m[2]} between ${kind(m[1])} and ${kind(m[3])}${at(m[4])}`,
  ],
  [
    /^'(.+)' is a (\w+) field; (\w+)\(?\)? needs a number$/,
    (m) => `“${m[1]}” holds ${m[2]} values; ${m[3]} needs a number field`,
  ],
  [
    /^(Alert|Rule|Silence|Suggestion|Channel|Source|Field|Business) '[^']+' (.+)$/,
    (m) => `This ${m[1]?.toLowerCase()} ${m[2]}`,
  ],
  [
    /^is not an IANA time zone.*$/,
    () => "is not a time zone: pick one from the list, e.g. Europe/Berlin or America/New_York",
  ],
  [/^must be an RFC 3339 time or epoch milliseconds$/, () => "is not a date and time"],
  [/^is not a cursor this API gave out$/, () => "is out of date: start again from the first page"],
];

const tokens: Record<string, string> = {
  RPAREN: "“)”",
  LPAREN: "“(”",
  RBRACKET: "“]”",
  LBRACKET: "“[”",
  GT: "“>”",
  LT: "“<”",
  EQ: "“==”",
  COMMA: "a comma",
  DOT: "a dot",
  STRING: "a text in quotes",
  NUMBER: "a number",
  IDENTIFIER: "a name",
};
const token = (t: string | undefined) => tokens[t ?? ""] ?? `“${(t ?? "").toLowerCase()}”`;
const kinds: Record<string, string> = {
  double: "a number",
  int: "a number",
  uint: "a number",
  string: "a text",
  bool: "true/false",
  timestamp: "a time",
};
const kind = (t: string | undefined) => kinds[t ?? ""] ?? `a ${t}`;
/** `(at column 12)` (counted from 1) as `(at character 12)`. */
function at(rest: string | undefined): string {
  const column = /\(at column (\d+)\)/.exec(rest ?? "")?.[1];
  return column === undefined ? "" : ` (at character ${column})`;
}

/** A problem's path as a person reads it: `fields.0.name` → `Field 1 name`, `groupBy` → `Group by`. */
export function pathLabel(path: string): string {
  if (path === "(body)" || path === "") return "";
  const words = path
    .split(".")
    .map((part) => (/^\d+$/.test(part) ? String(Number(part) + 1) : part))
    .map((part) => part.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase())
    .join(" ")
    .replace(/^(\w+)s (\d+)/, "$1 $2");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** One message of the API in plain words (unknown ones pass through as they are). */
export function humaneMessage(message: string): string {
  const text = message.trim();
  for (const [pattern, say] of rewrites) {
    const m = pattern.exec(text);
    if (m) return say(m);
  }
  return text;
}

/** What a refusal without a field means, by status. */
export function humaneStatus(status: number, detail?: string): string {
  // The API's own 403 names the role needed; keep it.
  if (status === 403)
    return detail
      ? humaneMessage(detail)
      : "Your role may not change this. Ask an owner or an editor of the workspace.";
  if (status === 404)
    return "This no longer exists: someone may have deleted it. Reload the page to see what is there now.";
  if (status === 409) return detail ? humaneDetail(detail) : "Someone changed this meanwhile.";
  if (status === 413) return "This is too large to send in one go. Send less at a time.";
  if (status === 429) return "Too many requests just now. Wait a minute and try again.";
  if (status >= 500)
    return "Anom could not do this just now. Nothing was changed; try again in a minute.";
  return detail ? humaneDetail(detail) : "This was refused.";
}

/** A detail `path: message` (the API's one-error form) in words: `Condition: is not finished…`. */
export function humaneDetail(detail: string): string {
  const m = /^([\w.]+): (.+)$/s.exec(detail);
  if (!m?.[1] || !m[2] || m[2].includes("; ")) return humaneMessage(detail);
  return `${pathLabel(m[1])}: ${humaneMessage(m[2])}`;
}

/** A problem's errors in plain words, one per input; its detail under `fallback` when it names none. */
export function humaneErrors(
  problem: { status?: number; detail?: string; errors?: FieldError[] },
  fallback: string,
): FieldError[] {
  if (problem.errors?.length)
    return problem.errors.map((e) => ({ path: e.path, message: humaneMessage(e.message) }));
  const status = problem.status ?? 422;
  return [{ path: fallback, message: humaneStatus(status, problem.detail) }];
}
