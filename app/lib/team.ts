/** What a role may do in the UI; the API enforces the same (workers/api/auth/permissions.ts). */
const rank = { viewer: 0, editor: 1, admin: 2, owner: 3 } as const;
export type Role = keyof typeof rank;

export const canManage = (role: Role) => rank[role] >= rank.admin;
export const canEdit = (role: Role) => rank[role] >= rank.editor;
export const ROLES: Role[] = ["viewer", "editor", "admin", "owner"];
