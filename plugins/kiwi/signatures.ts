/**
 * @module
 * The kiwi task methods' parameter names (Koji's plugin adds them to
 * LEGACY_SIGNATURES), so policies can read a kiwiBuild's target and
 * scratch flag, and the client and builder can read arguments by name.
 * Imported for its effect by every part of the plugin.
 */
import { registerTaskSignature } from '../../src/core/task-params.ts';

export const KIWI_BUILD_ARGS = ['target', 'arches', 'desc_url', 'desc_path', 'opts'];
export const CREATE_IMAGE_ARGS = ['name', 'version', 'release', 'arch', 'target_info', 'build_tag', 'repo_info', 'desc_url', 'desc_path', 'opts'];

registerTaskSignature('kiwiBuild', KIWI_BUILD_ARGS, [null]);
registerTaskSignature('createKiwiImage', CREATE_IMAGE_ARGS, [null]);
