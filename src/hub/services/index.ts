/**
 * @module
 * Background work the hub runs beside the API (scheduler, repo
 * regeneration, message delivery). Each service starts with the hub and
 * returns its stop function.
 */
import type { Hub } from '../hub.ts';
import { brokerService } from './broker.ts';
import { schedulerService } from './scheduler.ts';
import { repoService } from './repos.ts';

export type Stop = () => void | Promise<void>;
export type Service = { name: string; start(hub: Hub): Stop | Promise<Stop> };

// The broker comes first: plugins started after services may send to it.
export const coreServices: Service[] = [brokerService, schedulerService, repoService];
