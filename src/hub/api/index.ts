/**
 * @module
 * The core API, assembled from one module per domain.
 */
import type { ApiMethod } from '../rpc/method.ts';
import { miscMethods } from './misc.ts';
import { userMethods } from './users.ts';

export const coreMethods: ApiMethod[] = [...miscMethods, ...userMethods];
