import * as audit from "../audit/list";
import * as createKey from "../keys/create";
import * as listKeys from "../keys/list";
import * as revokeKey from "../keys/revoke";
import * as invite from "../members/create";
import * as removeMember from "../members/delete";
import * as listMembers from "../members/list";
import * as updateMember from "../members/update";
import { newApp } from "../openapi";
import * as create from "./create";
import * as get from "./get";
import * as list from "./list";

export const workspacesApi = newApp()
  .openapi(create.route, create.handler)
  .openapi(list.route, list.handler)
  .openapi(get.route, get.handler)
  .openapi(createKey.route, createKey.handler)
  .openapi(listKeys.route, listKeys.handler)
  .openapi(revokeKey.route, revokeKey.handler)
  .openapi(invite.route, invite.handler)
  .openapi(listMembers.route, listMembers.handler)
  .openapi(updateMember.route, updateMember.handler)
  .openapi(removeMember.route, removeMember.handler)
  .openapi(audit.route, audit.handler);
