/**
 * The part of `googleapis` the adapter uses: the Calendar v3 client and the auth helpers (`OAuth2`).
 * `import { google } from 'googleapis'` loads the generated clients of all ~300 Google APIs as it
 * starts (~57 MB of heap and ~110 MB of RSS in every worker and API process, and ~0.9 s at start; see
 * test/unit/google-client-footprint.test.ts); this module loads Calendar's alone. The package has no
 * `exports` map, so its per-API entry point is a documented, stable path (each API is also published
 * alone as `@googleapis/<api>`, built from the same files).
 */
import { auth, calendar, type calendar_v3 } from 'googleapis/build/src/apis/calendar';

export const google = { auth, calendar };
export type { calendar_v3 };
