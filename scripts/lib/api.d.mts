export function client(
  baseUrl: string,
  adminToken: string,
): {
  // biome-ignore lint/suspicious/noExplicitAny: answers are whatever JSON the API sends
  json(method: string, path: string, body?: unknown, token?: string): Promise<any>;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  business(body: unknown): Promise<{ business: any; token: string }>;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  ingest(businessId: string, token: string, events: unknown): Promise<any>;
};
