// Standalone Zuora emulator with the demo tenant: `node dist/emulators/zuora/main.js [--port 4010]`.
import { startZuoraEmulator } from './server';

function portFromArgs(): number {
  const i = process.argv.indexOf('--port');
  const raw = i >= 0 ? process.argv[i + 1] : process.env.ZUORA_EMULATOR_PORT;
  const port = Number(raw ?? 4010);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid port: ${raw}`);
  return port;
}

async function main(): Promise<void> {
  const emulator = await startZuoraEmulator({
    port: portFromArgs(),
    host: process.env.ZUORA_EMULATOR_HOST ?? '127.0.0.1',
    seed: { demo: true, seed: Number(process.env.ZUORA_EMULATOR_SEED ?? 42) },
  });
  const settings = emulator.admin.config();
  console.log(
    `Zuora emulator listening on ${emulator.url} (client id "${settings.clientId}", admin at ${emulator.url}/__admin/state)`,
  );
  const shutdown = (): void => {
    void emulator.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
