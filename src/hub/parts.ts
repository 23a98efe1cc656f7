/**
 * @module
 * The optional HTTP parts of the hub (uploads, web pages), gathered here so
 * server.ts stays small.
 */
import type { AppParts } from './app.ts';
import { handleUpload } from './upload.ts';
import { taskinfoRoutes } from './web/taskinfo.ts';

export const appParts: AppParts = { upload: handleUpload, web: [taskinfoRoutes] };
