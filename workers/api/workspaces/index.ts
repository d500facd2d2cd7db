import audit from "../audit/list";
import createKey from "../keys/create";
import listKeys from "../keys/list";
import revokeKey from "../keys/revoke";
import invite from "../members/create";
import removeMember from "../members/delete";
import listMembers from "../members/list";
import updateMember from "../members/update";
import { newApp } from "../openapi";
import create from "./create";
import get from "./get";
import list from "./list";

export const workspacesApi = newApp()
  .openapiRoutes([create, list, get])
  .openapiRoutes([createKey, listKeys, revokeKey])
  .openapiRoutes([invite, listMembers, updateMember, removeMember])
  .openapiRoutes([audit]);
