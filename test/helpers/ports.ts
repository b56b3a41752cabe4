export { freePortNumber as freePort } from '../../bench/harness';
