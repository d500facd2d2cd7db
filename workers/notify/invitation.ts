import { EmailMessage } from "cloudflare:email";
import { createMimeMessage } from "mimetext";

export interface Invitation {
  to: string;
  workspaceName: string;
  role: string;
  invitedBy: string;
  link: string;
}

/** The invitation email, built like alert emails (mimetext, plain text and HTML). */
export function invitationRaw(from: string, i: Invitation): string {
  const msg = createMimeMessage();
  msg.setSender({ name: "Anom", addr: from });
  msg.setRecipient(i.to);
  msg.setSubject(`You are invited to ${i.workspaceName} on Anom`);
  const text = `${i.invitedBy} invited you to the workspace "${i.workspaceName}" as ${i.role}.\n\nAccept (the link works once, for 7 days):\n${i.link}\n`;
  msg.addMessage({ contentType: "text/plain", data: text });
  const html = (t: string) => t.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  msg.addMessage({
    contentType: "text/html",
    data: `<p>${html(i.invitedBy)} invited you to the workspace <b>${html(i.workspaceName)}</b> as ${html(i.role)}.</p><p><a href="${html(i.link)}">Accept the invitation</a> (the link works once, for 7 days).</p>`,
  });
  return msg.asRaw();
}

/** Sends the invitation through the email binding alert emails use; false when it could not. */
export async function sendInvitation(env: Env, i: Invitation): Promise<boolean> {
  try {
    await env.EMAIL.send(new EmailMessage(env.EMAIL_FROM, i.to, invitationRaw(env.EMAIL_FROM, i)));
    return true;
  } catch (error) {
    console.warn(`invitation email to ${i.to} failed`, error);
    return false;
  }
}
