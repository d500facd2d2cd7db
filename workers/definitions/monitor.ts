/** The one way to reach a business's Durable Object: one object per business, named by its id. */
export function monitorOf(env: Pick<Env, "BUSINESS">, businessId: string) {
  return env.BUSINESS.get(env.BUSINESS.idFromName(businessId));
}
