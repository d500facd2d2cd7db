import { useEffect, useRef, useState } from "react";
import { Form, useFetcher } from "react-router";
import type { Business } from "../../schema/contracts/businesses";
import type { Rule } from "../../schema/contracts/rules";
import { BacktestPanel } from "./backtest";
import type { FieldError } from "./forms";
import { errorsByInput, FieldErrors, FieldSelect, TextField } from "./forms";

/**
 * Creates or edits a rule. As the user types, the body is checked against the
 * server's validation (the same code that saves rules) and the problems are
 * shown next to the form; saving goes through the page's action.
 */
export function RuleForm({
  business,
  rule,
  errors,
}: {
  business: Business;
  rule?: Rule;
  errors?: FieldError[] | undefined;
}) {
  const [kind, setKind] = useState<string>(rule?.kind ?? "immediate");
  const check = useFetcher<{ ok: boolean; errors: FieldError[] }>();
  const form = useRef<HTMLFormElement>(null);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const id = rule ? rule.id : "new";
  const columns = business.fields.map((f) => f.name);
  const numeric = business.fields.filter((f) => f.type === "number" || f.type === "integer");
  // The saved rule's settings by name, whatever its kind.
  const saved: Record<string, unknown> = { ...rule };
  const value = (key: string): string => {
    const v = saved[key];
    return typeof v === "string" ? v : "";
  };

  const scheduleCheck = () => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      if (!form.current) return;
      const data = new FormData(form.current);
      data.set("intent", "check");
      void check.submit(data, { method: "post", action: `/businesses/${business.id}/rules/check` });
    }, 300);
  };
  useEffect(() => () => clearTimeout(timer.current), []);

  const shown = check.data ? check.data.errors : (errors ?? []);
  const checked = check.data?.ok === true;
  // Problems of an input are shown at it; the rest under the form.
  const at = errorsByInput(shown, atInputs, id, `check-${id}`);
  const example = exampleCondition(business);
  // What an immediate rule checks (a CEL condition) or an aggregate compares.
  const expression =
    kind === "immediate"
      ? { label: "Condition (CEL)", name: "condition" as const }
      : kind === "aggregate"
        ? { label: "Expression", name: "expression" as const }
        : null;
  return (
    <Form method="post" className="stack rule-form" ref={form} onChange={scheduleCheck}>
      {rule ? <input type="hidden" name="ruleId" value={rule.id} /> : <h3>New rule</h3>}
      <div className="row">
        <TextField label="Name" name="name" required defaultValue={rule?.name} errors={at} />
        <label>
          Kind
          <select
            name="kind"
            value={kind}
            disabled={rule !== undefined}
            onChange={(e) => setKind(e.target.value)}
          >
            <option value="immediate">immediate: a condition on one event</option>
            <option value="absence">absence: no event for a while</option>
            <option value="aggregate">aggregate: a total over a window</option>
            <option value="anomaly">anomaly: unusual values of a number</option>
          </select>
        </label>
        {rule ? <input type="hidden" name="kind" value={kind} /> : null}
        <label>
          Severity
          <select name="severity" defaultValue={rule?.severity ?? "warning"}>
            <option>info</option>
            <option>warning</option>
            <option>critical</option>
          </select>
        </label>
      </div>
      {expression ? (
        <TextField
          key={expression.name}
          label={expression.label}
          name={expression.name}
          placeholder={example[expression.name]}
          required
          defaultValue={value(expression.name)}
          errors={at}
        />
      ) : null}
      {kind === "absence" || kind === "aggregate" ? (
        <TextField
          label="Window"
          name="window"
          placeholder={kind === "aggregate" ? "day, 1h, 7d" : "20m"}
          required
          defaultValue={value("window")}
          errors={at}
        />
      ) : null}
      {kind === "anomaly" ? (
        <div className="row">
          <FieldSelect
            label="Field"
            name="field"
            fields={numeric}
            value={value("field") || numeric[0]?.name}
          />
          <label>
            Sensitivity
            <select name="sensitivity" defaultValue={value("sensitivity") || "medium"}>
              <option>low</option>
              <option>medium</option>
              <option>high</option>
            </select>
          </label>
          <label>
            Direction
            <select name="direction" defaultValue={value("direction") || "both"}>
              <option value="both">up or down</option>
              <option value="up">up only</option>
              <option value="down">down only</option>
            </select>
          </label>
          <label>
            Ignore changes under
            <input
              name="minDeviation"
              inputMode="decimal"
              placeholder="e.g. 2"
              defaultValue={minDeviation(rule)}
            />
          </label>
        </div>
      ) : null}
      <div className="row">
        <TextField
          label="Only events where (optional)"
          name="where"
          placeholder={example.where}
          defaultValue={value("where")}
          errors={at}
        />
        <label>
          Per value of (optional)
          <select name="groupBy" defaultValue={value("groupBy")}>
            <option value="">—</option>
            {columns.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
      </div>
      <div id={`check-${id}`} aria-live="polite">
        {at.rest.length ? (
          <FieldErrors errors={at.rest} />
        ) : shown.length ? null : checked ? (
          <p className="ok">Looks good.</p>
        ) : null}
      </div>
      <div className="row actions">
        <button type="submit" name="intent" value={rule ? "update-rule" : "create-rule"}>
          {rule ? "Save rule" : "Create rule"}
        </button>
        <BacktestPanel businessId={business.id} form={form} />
      </div>
    </Form>
  );
}

/** Inputs that show their own problems. */
const atInputs = ["name", "condition", "expression", "window", "where"];

/** Placeholders from the business's own fields: `temperature > 26`, `device == 'fridge-1'`. */
export function exampleCondition(business: Business) {
  const numeric = business.fields.find((f) => f.type === "number" || f.type === "integer");
  const text = business.fields.find(
    (f) => (f.type === "string" || f.type === "enum") && f.name !== business.timeField,
  );
  const sample = text?.values?.[0] ?? "…";
  return {
    condition: numeric ? `${numeric.name} > 100` : text ? `${text.name} == '${sample}'` : "true",
    expression: numeric ? `sum(${numeric.name}) > 1000` : "count() > 100",
    where: text ? `${text.name} == '${sample}'` : "",
  };
}

/** Where a rule stands with the history: learning from it, series still warming up, or live. */
export function RuleStanding({ rule }: { rule: Rule }) {
  const s = rule.status;
  if (!s) return null;
  if (s.history === "replaying")
    return (
      <span className="badge info" title="It takes live events once it has caught up">
        learning from history ({(s.replayedEvents ?? 0).toLocaleString("en-US")} events so far)
      </span>
    );
  if (s.warmingUp)
    return (
      <span className="badge info" title="Too few points yet to tell what is unusual">
        warming up: {s.warmingUp} of {s.groups} series
      </span>
    );
  return null;
}

/** An anomaly rule's minimum deviation as the form shows it: "2" or "10%". */
function minDeviation(rule: Rule | undefined): string {
  const least = rule?.kind === "anomaly" ? rule.minDeviation : undefined;
  if (least?.absolute !== undefined) return String(least.absolute);
  if (least?.relative !== undefined) return `${least.relative * 100}%`;
  return "";
}

/** Rule bodies from the rule form: only the keys of the chosen kind. For a change, cleared optional keys are null. */
export function ruleBody(form: FormData, change = false): Record<string, unknown> {
  const text = (k: string) => String(form.get(k) ?? "").trim();
  const kind = text("kind");
  const body: Record<string, unknown> = {
    name: text("name"),
    severity: text("severity") || "warning",
  };
  if (!change) body.kind = kind;
  const optional = (key: string) => {
    if (text(key)) body[key] = text(key);
    else if (change) body[key] = null;
  };
  optional("where");
  optional("groupBy");
  if (kind === "immediate") body.condition = text("condition");
  if (kind === "absence") body.window = text("window");
  if (kind === "aggregate")
    Object.assign(body, { expression: text("expression"), window: text("window") });
  if (kind === "anomaly") {
    Object.assign(body, { field: text("field"), sensitivity: text("sensitivity") || "medium" });
    const direction = text("direction");
    if (direction && direction !== "both") body.direction = direction;
    else if (change) body.direction = null;
    // "2" is in the field's unit; "10%" is relative to the expected value.
    const least = text("minDeviation");
    if (least)
      body.minDeviation = least.endsWith("%")
        ? { relative: Number(least.slice(0, -1)) / 100 }
        : { absolute: Number(least) };
    else if (change) body.minDeviation = null;
  }
  return body;
}
