/**
 * The one place tests find the public data set (`../shared/data` beside the checkout:
 * rulesets, captures, regex corpus, suricata-verify cases): the benches' locator, so both
 * agree (`NFA_OBDD_SHARED_DATA` overrides the location). Tests that need the data skip
 * with a message when it is absent.
 */
export { SHARED_DATA, sharedPath, haveShared } from '../../bench/lib/shared-data.js';
