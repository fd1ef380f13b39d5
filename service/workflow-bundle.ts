/**
 * The workflow bundle built ahead of time: `npm run build` writes it, `npm run worker` loads it, so
 * a production worker starts without a webpack run (seconds of CPU and ~100 MB at every start) and
 * every worker runs exactly the workflow code that was built. Without one the worker bundles at
 * start, which is what development (`npm start`) does.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { PRELOAD_MODULES, WORKFLOWS_PATH } from './create-worker';

export const BUILT_BUNDLE_PATH = path.resolve(__dirname, '../dist/workflow-bundle.js');

const quiet = { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} };

/** Bundles the workflows into `outputPath`. */
export async function buildWorkflowBundle(outputPath: string): Promise<void> {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, preloadModules: PRELOAD_MODULES, logger: quiet });
  fs.mkdirSync(path.dirname(outputPath), { recursive: true });
  fs.writeFileSync(outputPath, code);
}

/** The bundle a worker should load: TEMPORAL_WORKFLOW_BUNDLE, else the built one if there is one. */
export function workflowBundleToLoad(configured: string | undefined): string | undefined {
  if (configured) return configured;
  return fs.existsSync(BUILT_BUNDLE_PATH) ? BUILT_BUNDLE_PATH : undefined;
}
