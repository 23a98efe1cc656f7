/**
 * @module
 * The optional HTTP parts of the hub (uploads, web pages), gathered here so
 * server.ts stays small.
 */
import type { AppParts } from './app.ts';

export const appParts: AppParts = { web: [] };
