import { startNetSuiteEmulator } from './server';

/**
 * Standalone NetSuite emulator: `node dist/emulators/netsuite/main.js [--port N] [--no-demo]`.
 * Port from --port, else NETSUITE_EMULATOR_PORT, else 4020. Seeds the demo tenant unless --no-demo.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const portFlag = args.indexOf('--port');
  const port = Number((portFlag >= 0 ? args[portFlag + 1] : undefined) ?? process.env.NETSUITE_EMULATOR_PORT ?? 4020);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port ${port}`);
  const emulator = await startNetSuiteEmulator({
    port,
    host: process.env.NETSUITE_EMULATOR_HOST ?? '127.0.0.1',
    seed: args.includes('--no-demo') ? undefined : { demo: true },
  });
  const { credentials } = emulator;
  console.log(`NetSuite emulator listening on ${emulator.url}`);
  console.log(
    JSON.stringify({
      NETSUITE_ACCOUNT_ID: credentials.accountId,
      NETSUITE_REST_BASE_URL: credentials.restBaseUrl,
      NETSUITE_CONSUMER_KEY: credentials.consumerKey,
      NETSUITE_CONSUMER_SECRET: credentials.consumerSecret,
      NETSUITE_TOKEN_ID: credentials.tokenId,
      NETSUITE_TOKEN_SECRET: credentials.tokenSecret,
    }),
  );
  const shutdown = (): void => {
    emulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
