/**
 * `npm run admin -- <command>`: tenant administration from a shell, through the running API's admin
 * routes (api/routers/admin.ts). The API is at http://$HOST:$PORT unless ADMIN_API_URL says
 * otherwise; the token is ADMIN_TOKEN, or the one `npm start` generated under DATA_DIR.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig, parseDuration } from '../config';
import { adminTokenFile } from './secrets';
import { runProcess } from './process-lifecycle';

const USAGE = `usage: npm run admin -- <command>
  accounts create --name NAME [--domain DOMAIN ...]   a new account and its first API key (shown once)
  accounts list                                       every account
  accounts show ACCOUNT_ID                            one account: users and connections by status
  accounts clear-provider ACCOUNT_ID                  let it install the other calendar integration
  keys issue ACCOUNT_ID [--name NAME]                 another API key (shown once)
  keys list ACCOUNT_ID                                its keys: prefix, created, last used, expiry
  keys revoke ACCOUNT_ID KEY_ID                       stop a key now
  keys rotate ACCOUNT_ID KEY_ID [--grace 24h]         a new key; the old one works for the grace period
  connections find EMAIL                              the connections of a user or calendar address`;

runProcess(async () => {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { name: { type: 'string' }, domain: { type: 'string', multiple: true }, grace: { type: 'string' }, help: { type: 'boolean' } },
  });
  const [group, command, ...rest] = positionals;
  if (values.help || !group) return void console.log(USAGE);

  const config = loadConfig();
  const baseUrl = (process.env.ADMIN_API_URL ?? `http://${config.api.host}:${config.api.port}`).replace(/\/$/, '');
  const tokenFile = adminTokenFile(config);
  const token = config.adminToken ?? (fs.existsSync(tokenFile) ? fs.readFileSync(tokenFile, 'utf8').trim() : undefined);
  if (!token) throw new Error(`no admin token: set ADMIN_TOKEN (or run npm start once, which writes ${tokenFile})`);

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${baseUrl}/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed = text ? JSON.parse(text) : {};
    if (!response.ok) throw new Error(`${response.status}: ${parsed.error?.message ?? text}`);
    return parsed;
  };
  const need = (value: string | undefined, what: string) => {
    if (!value) throw new Error(`${group} ${command}: ${what} is required\n\n${USAGE}`);
    return encodeURIComponent(value);
  };

  const commands: Record<string, () => Promise<unknown>> = {
    'accounts create': () => call('POST', '/accounts', { name: values.name, domains: values.domain }),
    'accounts list': () => call('GET', '/accounts?limit=200'),
    'accounts show': () => call('GET', `/accounts/${need(rest[0], 'ACCOUNT_ID')}`),
    'accounts clear-provider': () => call('DELETE', `/accounts/${need(rest[0], 'ACCOUNT_ID')}/installed-provider`),
    'keys issue': () => call('POST', `/accounts/${need(rest[0], 'ACCOUNT_ID')}/api-keys`, values.name ? { name: values.name } : {}),
    'keys list': () => call('GET', `/accounts/${need(rest[0], 'ACCOUNT_ID')}/api-keys`),
    'keys revoke': () => call('DELETE', `/accounts/${need(rest[0], 'ACCOUNT_ID')}/api-keys/${need(rest[1], 'KEY_ID')}`),
    'keys rotate': () =>
      call('POST', `/accounts/${need(rest[0], 'ACCOUNT_ID')}/api-keys/${need(rest[1], 'KEY_ID')}/rotate`, values.grace ? { graceSeconds: Math.round(parseDuration(values.grace) / 1000) } : {}),
    'connections find': () => call('GET', `/connections?email=${need(rest[0], 'EMAIL')}`),
  };
  const run = commands[`${group} ${command ?? ''}`];
  if (!run) throw new Error(`unknown command: ${positionals.join(' ')}\n\n${USAGE}`);
  console.log(JSON.stringify(await run(), null, 2));
});
