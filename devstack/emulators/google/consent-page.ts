/**
 * The one-click HTML consent screen: who asks, which scopes, which account, Allow / Deny. The form
 * posts the original authorization query back unchanged, so the decision is judged on the same
 * request that was shown.
 */
import type { AuthorizationRequest } from './oauth-service';

const SCOPE_LABELS: Record<string, string> = {
  openid: 'Associate you with your personal info on Google',
  email: 'See your primary Google Account email address',
  profile: 'See your personal info, including any personal info you’ve made publicly available',
  'https://www.googleapis.com/auth/calendar': 'See, edit, share, and permanently delete all the calendars you can access using Google Calendar',
  'https://www.googleapis.com/auth/calendar.events': 'View and edit events on all your calendars',
  'https://www.googleapis.com/auth/calendar.readonly': 'See and download any calendar you can access using your Google Calendar',
  'https://www.googleapis.com/auth/calendar.events.readonly': 'View events on all your calendars',
};

export const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
  '<style>body{font-family:sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}li{margin:.4rem 0}' +
  'button{padding:.5rem 1.2rem;margin-right:.5rem}.muted{color:#555;font-size:.9rem}</style></head>' +
  `<body><p class="muted">Google emulator · Sign in with Google</p>${body}</body></html>`;

export function renderConsentPage(request: AuthorizationRequest, query: string, users: { email: string; name?: string }[]): string {
  const hint = request.loginHint?.toLowerCase();
  const options = users
    .map((user) => {
      const selected = user.email.toLowerCase() === hint ? ' selected' : '';
      const label = user.name ? `${user.name} <${user.email}>` : user.email;
      return `<option value="${escapeHtml(user.email)}"${selected}>${escapeHtml(label)}</option>`;
    })
    .join('');
  const scopes = request.scopes.map((scope) => `<li>${escapeHtml(SCOPE_LABELS[scope] ?? scope)} <span class="muted">(${escapeHtml(scope)})</span></li>`).join('');
  const chooser = users.length
    ? `<label>Account <select name="email" id="email">${options}</select></label>`
    : '<p>No accounts exist yet: create one through the control API (<code>POST /_emulator/createUser</code>).</p>';
  return page(
    'Sign in – Google accounts',
    `<h1>${escapeHtml(request.clientId)} wants to access your Google Account</h1>` +
      `<form method="post"><input type="hidden" name="request" value="${escapeHtml(query)}">` +
      `<p>${chooser}</p><p>This will allow ${escapeHtml(request.clientId)} to:</p><ul>${scopes}</ul>` +
      (request.offline ? '<p class="muted">It will keep access while you are away (offline access).</p>' : '') +
      `<button type="submit" name="decision" value="allow"${users.length ? '' : ' disabled'}>Allow</button>` +
      '<button type="submit" name="decision" value="deny">Deny</button></form>',
  );
}

export function renderErrorPage(status: number, error: string, description: string): string {
  return page('Error', `<h1>Error ${status}: ${escapeHtml(error)}</h1><p>${escapeHtml(description)}</p>`);
}
