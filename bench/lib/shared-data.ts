/**
 * The one place benches and tests (through test/support/shared-data.ts) find the public
 * data set (`../shared/data` beside the checkout: rulesets, captures, regex corpus,
 * suricata-verify cases). `NFA_OBDD_SHARED_DATA` overrides the location.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Absolute path of the shared data folder (it may not exist). */
export const SHARED_DATA = resolve(process.env.NFA_OBDD_SHARED_DATA ?? join(import.meta.dirname, '../../../shared/data'));

/** Absolute path of a file or folder inside the shared data folder. */
export function sharedPath(...parts: string[]): string {
  return join(SHARED_DATA, ...parts);
}

/** Whether that file or folder exists. */
export function haveShared(...parts: string[]): boolean {
  return existsSync(sharedPath(...parts));
}
