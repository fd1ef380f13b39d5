/**
 * A real browser for end-to-end tests: Debian's `chromium`, headless, driven through playwright-core.
 * It trusts the Microsoft emulator's CA the way the README tells a user to (certutil into the NSS
 * database Chromium reads, `$HOME/.pki/nssdb`), under a HOME of its own so that a developer's own
 * database is left alone. No certificate check is switched off.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const INSTALL = 'apt-get install -y chromium libnss3-tools';

/** Why the browser cannot run here (with how to fix it), or undefined when it can. */
export function missingBrowser(): string | undefined {
  const missing = [
    ...(fs.existsSync(CHROMIUM) ? [] : [`chromium (no ${CHROMIUM}; CHROMIUM_PATH names another)`]),
    ...(spawnSync('certutil', ['-H']).error ? ['certutil (libnss3-tools)'] : []),
  ];
  return missing.length ? `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not installed: install with \`${INSTALL}\`` : undefined;
}

export interface TestBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/** Chromium trusting the CA certificate (a PEM file) at `trustedCa`. */
export async function launchBrowser(trustedCa: string): Promise<TestBrowser> {
  const reason = missingBrowser();
  if (reason) throw new Error(reason);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'browser-home-'));
  try {
    const nssdb = path.join(home, '.pki', 'nssdb');
    fs.mkdirSync(nssdb, { recursive: true });
    // The README's commands ("Try it"), with this HOME.
    execFileSync('certutil', ['-d', `sql:${nssdb}`, '-N', '--empty-password']);
    execFileSync('certutil', ['-d', `sql:${nssdb}`, '-A', '-t', 'C,,', '-n', 'CRM Calendar Sync emulator CA', '-i', trustedCa]);
    const browser = await chromium.launch({ executablePath: CHROMIUM, env: { ...process.env, HOME: home } as Record<string, string>, timeout: 120_000 });
    return {
      browser,
      async close() {
        await browser.close();
        fs.rmSync(home, { recursive: true, force: true });
      },
    };
  } catch (error) {
    fs.rmSync(home, { recursive: true, force: true });
    throw error;
  }
}
