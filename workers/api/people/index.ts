import { newApp } from "../openapi";
import * as acceptInvite from "./accept-invite";
import * as me from "./me";
import * as rotate from "./rotate";
import * as signIn from "./sign-in";
import * as signOut from "./sign-out";

export const peopleApi = newApp()
  .openapi(signIn.route, signIn.handler)
  .openapi(acceptInvite.route, acceptInvite.handler)
  .openapi(me.route, me.handler)
  .openapi(rotate.route, rotate.handler)
  .openapi(signOut.route, signOut.handler)
  .openapi(signOut.everywhereRoute, signOut.everywhereHandler);
