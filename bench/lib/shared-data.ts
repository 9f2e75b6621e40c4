/**
 * The one place benches find the public data set (`../shared/data` beside the checkout:
 * rulesets, captures, regex corpus, suricata-verify cases). `NFA_OBDD_SHARED_DATA`
 * overrides the location. Benches that need it say so and stop when it is absent.
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
