import { newApp } from "../openapi";
import acceptInvite from "./accept-invite";
import me from "./me";
import rotate from "./rotate";
import signIn from "./sign-in";
import { signOut, signOutEverywhere } from "./sign-out";

export const peopleApi = newApp().openapiRoutes([
  signIn,
  acceptInvite,
  me,
  rotate,
  signOut,
  signOutEverywhere,
]);
