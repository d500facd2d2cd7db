import type { ChannelTarget, ChannelType } from "../../../schema/contracts/channels";
import { defaultChannelUrls } from "../../../schema/contracts/channels";
import type { ChannelRow } from "../../definitions/channels";
import type { NotificationMessage } from "../message";
import type { SendResult } from "../senders";
import { sendEmail, sendSlack, sendWebhook } from "../senders";
import { alertmanagerEndpoint, sendAlertmanager } from "./alertmanager";
import { sendNtfy } from "./ntfy";
import { sendPagerDuty } from "./pagerduty";
import { sendTeams } from "./teams";

export interface Outgoing {
  env: Env;
  channel: ChannelRow;
  target: ChannelTarget;
  message: NotificationMessage;
  /** The endpoint, already passed by the target guard ("" for email). */
  endpoint: string;
}

export interface Provider {
  /** The URL it POSTs to, which the target guard checks; undefined when it sends no HTTP (email). */
  endpoint(target: ChannelTarget): string | undefined;
  send(d: Outgoing): Promise<SendResult>;
}

const required = (target: ChannelTarget) => target.url ?? "";

/** One provider per channel type: a new type does not compile until it is wired here. */
export const providers: Record<ChannelType, Provider> = {
  webhook: {
    endpoint: required,
    send: (d) => sendWebhook(d.endpoint, d.channel.secret ?? "", d.message),
  },
  slack: {
    endpoint: required,
    send: (d) => sendSlack(d.endpoint, d.message, d.env.UI_URL),
  },
  email: {
    endpoint: () => undefined,
    send: (d) =>
      sendEmail(d.env.EMAIL, d.env.EMAIL_FROM, d.target.to ?? "", d.message, d.env.UI_URL),
  },
  pagerduty: {
    endpoint: (t) => t.url ?? defaultChannelUrls.pagerduty,
    send: (d) => sendPagerDuty(d.endpoint, d.channel.secret ?? "", d.message, d.env.UI_URL),
  },
  teams: {
    endpoint: required,
    send: (d) => sendTeams(d.endpoint, d.message, d.env.UI_URL),
  },
  ntfy: {
    endpoint: (t) => t.url ?? defaultChannelUrls.ntfy,
    send: (d) =>
      sendNtfy(d.endpoint, d.target.topic ?? "", d.channel.secret, d.message, d.env.UI_URL),
  },
  alertmanager: {
    endpoint: (t) => alertmanagerEndpoint(required(t)),
    send: (d) => sendAlertmanager(d.endpoint, d.channel.secret, d.message, d.env.UI_URL),
  },
};

/** The endpoint a channel delivers to, for per-destination protection: the URL, or the address. */
export function destinationOf(channel: ChannelRow): string {
  const target = channel.target as ChannelTarget;
  return providers[channel.type].endpoint(target) ?? `mailto:${target.to ?? ""}`;
}
