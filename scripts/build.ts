/**
 * `npm run build`: writes the prebuilt workflow bundle that `npm run worker` loads (worker/workflow-bundle.ts).
 */
import { BUILT_BUNDLE_PATH, buildWorkflowBundle } from '../worker/workflow-bundle';

buildWorkflowBundle(BUILT_BUNDLE_PATH)
  .then(() => console.log(`Workflow bundle written to ${BUILT_BUNDLE_PATH}`))
  .catch((error) => {
    console.error(error.message);
    process.exit(1);
  });
