export {
  startNetSuiteEmulator,
  type NetSuiteEmulatorOptions,
  type RunningNetSuiteEmulator,
  type NetSuiteEmulatorAdmin,
  type NetSuiteEmulatorCounters,
  type NetSuiteEmulatorCredentials,
} from './server';
export { NetSuiteAccount, EmulatorStateError, type CreditMemoLinkDirection, type ConnectorValues } from './account';
export { netSuiteSeedSchema, type NetSuiteSeedRequest, type NetSuiteSeedSummary, type DemoTenant } from './seed';
