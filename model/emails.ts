/** Email match keys (SPEC §1), one definition for every layer: trimmed and lower-cased; the domain is what follows the last `@`. */
export const emailKey = (email: string): string => email.trim().toLowerCase();

export function domainOf(email: string): string {
  const key = emailKey(email);
  return key.slice(key.lastIndexOf('@') + 1);
}
