/**
 * `npm run build`: writes the prebuilt workflow bundle that `npm run worker` loads (service/workflow-bundle.ts).
 */
import { runProcess } from './process-lifecycle';
import { BUILT_BUNDLE_PATH, buildWorkflowBundle } from './workflow-bundle';

runProcess(async () => {
  await buildWorkflowBundle(BUILT_BUNDLE_PATH);
  console.log(`Workflow bundle written to ${BUILT_BUNDLE_PATH}`);
});

