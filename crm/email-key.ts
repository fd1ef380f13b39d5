/** The match key of an email address: trimmed and lower-cased (SPEC §1). */
export const emailKey = (email: string): string => email.trim().toLowerCase();
