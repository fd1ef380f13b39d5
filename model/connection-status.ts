/**
 * A calendar connection's status, as the database, the workflow, the API and operators name it
 * (prisma enum ConnectionStatus; the Temporal search attribute of the same name).
 */
export const CONNECTION_STATUSES = ['CONNECTING', 'ACTIVE', 'NEEDS_REAUTH', 'DISCONNECTED'] as const;

export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];
