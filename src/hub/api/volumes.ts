/**
 * @module
 * Storage volumes as Koji lists them: DEFAULT (the topdir) and the volumes
 * hub.conf [volumes] registers at start-up (see ../volumes.ts).
 */
import { GenericError } from '../../core/faults.ts';
import { api, type ApiMethod } from '../rpc/method.ts';
import { asBool } from '../rpc/args.ts';
import { findVolume, listVolumes } from '../../store/volumes.ts';
import { nameOrId, pyRepr } from './common.ts';

export const volumeMethods: ApiMethod[] = [
  api('listVolumes()', 'Storage volumes: [{id, name}].', { access: 'anon' }, (ctx) => listVolumes(ctx.store)),
  api('getVolume(volume, strict=False)', 'A volume by id or name: {id, name}; None if unknown (strict: an error).', { access: 'anon' }, (ctx, a) => {
    const row = findVolume(ctx.store, nameOrId(a.volume));
    if (!row && asBool(a.strict)) throw GenericError(`No such volume: ${typeof a.volume === 'string' ? a.volume : pyRepr(a.volume)}`);
    return row;
  }),
];
