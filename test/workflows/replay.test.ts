/**
 * Workflows live for months, so every change to workflow code must replay the histories of the code
 * before it: a command the old code did not issue, or one issued in another order, is a
 * nondeterminism error here instead of a stuck connection in production. The histories
 * (histories/*.json) are recorded by record-histories.test.ts from every workflow type; a change
 * that alters what a workflow does goes behind `patched()` (README "Changing workflow code").
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { quietTemporalLogs } from '../support/quiet-temporal';
import { workflowBundlePath } from '../support/services';
import * as workflows from '../../workflows';

quietTemporalLogs();

const HISTORIES_DIR = path.join(__dirname, 'histories');
const recorded = fs
  .readdirSync(HISTORIES_DIR)
  .filter((file) => file.endsWith('.json'))
  .sort();

describe('recorded workflow histories replay against the current workflow code', () => {
  it('has a history of every workflow type', () => {
    const types = new Set(recorded.map((file) => JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8')).history.events[0].workflowExecutionStartedEventAttributes.workflowType.name));
    expect([...types].sort()).toEqual(Object.keys(workflows).sort());
  });

  it.each(recorded)('%s', async (file) => {
    const { workflowId, history } = JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8'));
    await Worker.runReplayHistory({ workflowBundle: { codePath: workflowBundlePath() } }, history, workflowId);
  });
});
