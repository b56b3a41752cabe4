export {
  startZuoraEmulator,
  type ZuoraEmulatorOptions,
  type ZuoraEmulatorAdmin,
  type RunningZuoraEmulator,
} from './server';
export { seedRequestSchema, MIGRATION_REASON_CODE, type SeedRequest } from './seed';
export { zuoraSettingsSchema, type ZuoraSettings, type ZuoraCounters } from './context';
export { ZuoraState, type CreditMemoRecord, type ZRecord } from './state';
export { RestCode, IS_NOT_ENABLED_MESSAGE } from './errors';
