// `npm start`: the one entry point. With nothing configured it runs everything a person needs to try an upgrade on
// one machine — a persistent Temporal dev server with the Web UI, the Zuora and NetSuite emulators with a demo
// tenant, and the worker. Configure TEMPORAL_ADDRESS (or an envconfig profile), ZUORA_* and NETSUITE_* and the
// same process is a production worker that starts nothing else.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { startCodecServer, type RunningCodecServer } from './codec/codec-server';
import { codecFromConfig } from './codec/data-converter';
import { ConfigError, type AppConfig } from './config';
import { startDevServer, type RunningDevServer } from './temporal/dev-server';
import { loadTemporalBinaries } from './temporal/binaries';
import { resolveTemporalTarget, TemporalConfigError, type TemporalTarget } from './temporal/connection';
import { createWorker, installRuntime } from './worker';
import { ensureDemoCreditMemoSchedule } from './demo-schedule';
import { readTenantRegistry } from './tenants/load';
import { watchTenantRegistry } from './tenants/reload';
import type { TenantConfig } from './tenants/schema';
import { buildDependencies, type Dependencies } from './wiring';
import { loadEntryConfig, WORKER_ONLY_FLAG } from './worker-only';

type Stoppable = { name: string; stop: () => Promise<void> };

const stack: Stoppable[] = [];
let devServer: RunningDevServer | undefined;
let worker: Worker | undefined;
let stopping = false;

function say(line = ''): void {
  process.stderr.write(line + '\n');
}

async function stopAll(): Promise<void> {
  while (stack.length > 0) {
    const s = stack.pop()!;
    try {
      await s.stop();
    } catch (err) {
      say(`could not stop ${s.name}: ${(err as Error).message}`);
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  say(`\n${signal} received: shutting down`);
  // The worker finishes its current tasks (grace time 5 s), then main() stops what it started.
  if (worker && worker.getState() === 'RUNNING') {
    worker.shutdown();
  } else {
    void stopAll().then(() => process.exit(0));
  }
}

async function main(): Promise<void> {
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Never leave a dev server behind, whatever happens to this process.
  process.on('exit', () => {
    if (devServer?.process.pid && devServer.process.exitCode === null) {
      try {
        process.kill(-devServer.process.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  });

  let config: AppConfig;
  let target: TemporalTarget;
  let registered: TenantConfig[] | undefined;
  try {
    target = resolveTemporalTarget();
    config = loadEntryConfig(process.env, target, process.argv.includes(WORKER_ONLY_FLAG)); // npm run worker
    if (config.tenantRegistry) registered = readTenantRegistry(config.tenantRegistry);
  } catch (err) {
    // ConfigError and TemporalConfigError name the variable and never hold a secret value; anything else thrown
    // while reading settings is a bad setting too (exit 2), but its message is not trusted to be free of one.
    say(
      err instanceof ConfigError
        ? err.message
        : err instanceof TemporalConfigError
          ? `Invalid configuration:\n  - ${err.message}`
          : 'Invalid configuration: the Temporal settings could not be read',
    );
    process.exit(2);
  }
  installRuntime({ logLevel: config.logLevel, logFormat: config.logFormat, metricsPort: config.metricsPort });

  let address = target.address;
  if (!target.configured) {
    const binaries = loadTemporalBinaries();
    if (!binaries.cli.path) {
      say('No Temporal CLI binary on this machine and no TEMPORAL_ADDRESS: run `node scripts/ensure-temporal.mjs`.');
      process.exit(2);
    }
    say(`Starting the Temporal dev server (data in ${config.dataDir}/temporal.sqlite) ...`);
    devServer = await startDevServer({
      cliPath: binaries.cli.path,
      dataDir: config.dataDir,
      port: config.devServer.port,
      uiPort: config.devServer.uiPort,
      namespace: target.namespace,
    });
    stack.push({ name: 'Temporal dev server', stop: () => devServer!.stop() });
    address = devServer.address;
  } else {
    say(`Using the Temporal server at ${address} (namespace ${target.namespace}); not starting one.`);
  }
  if (stopping) return stopAll();

  const deps: Dependencies = await buildDependencies(config, registered);
  stack.push(...deps.stoppables);
  if (config.tenantRegistry) {
    // SIGHUP, or the next poll, reloads it (src/tenants/reload.ts).
    const watch = watchTenantRegistry({ registry: deps.tenants, source: config.tenantRegistry, say });
    process.on('SIGHUP', () => watch.reload());
    stack.push({ name: 'tenant registry reload', stop: async () => watch.stop() });
  }
  if (stopping) return stopAll();

  const connectionOptions = { ...target.connectionOptions, address };
  let nativeConnection: NativeConnection;
  let clientConnection: Connection;
  try {
    nativeConnection = await NativeConnection.connect(connectionOptions);
    clientConnection = await Connection.connect(connectionOptions);
  } catch (err) {
    say(`Cannot reach Temporal at ${address}: ${(err as Error).message}`);
    await stopAll();
    process.exit(1);
  }
  stack.push({
    name: 'Temporal connections',
    stop: async () => void (await Promise.all([nativeConnection.close(), clientConnection.close()])),
  });
  // Payload encryption, when configured, on the worker and on the client its activities use (schedules, queries).
  const codec = codecFromConfig(config);
  const dataConverter = codec ? { payloadCodecs: [codec] } : undefined;
  const client = new Client({ connection: clientConnection, namespace: target.namespace, dataConverter });

  let codecServer: RunningCodecServer | undefined;
  if (codec && config.codecServer) {
    codecServer = await startCodecServer({ codec, ...config.codecServer });
    const started = codecServer;
    stack.push({ name: 'codec server', stop: () => started.stop() });
  }

  worker = await createWorker({
    connection: nativeConnection,
    namespace: target.namespace,
    taskQueue: config.taskQueue,
    activities: deps.createActivities(client),
    dataConverter,
    stickyQueueScheduleToStartTimeout: config.stickyQueueTimeoutMs,
    deployment: config.workerDeployment,
  });

  // Polling starts with run(); the banner says "running" only once it does.
  const running = worker.run();
  // The demo tenant's pre-upgrade credit memo sync schedule (both systems emulated: the whole demo).
  let demoSchedule: string | undefined;
  if (config.emulators.zuora && config.emulators.netsuite) {
    try {
      const made = await ensureDemoCreditMemoSchedule(client, {
        tenantId: config.tenantId,
        taskQueue: config.taskQueue,
      });
      demoSchedule = `${made.scheduleId} (paused${made.created ? '' : ', from an earlier start'})`;
    } catch (err) {
      say(`could not create the demo's credit memo sync schedule: ${(err as Error).message}`);
    }
  }
  printBanner(config, address!, target.namespace, devServer, deps, codecServer, demoSchedule);
  await running;
  say('worker stopped');
  await stopAll();
}

function printBanner(
  config: AppConfig,
  address: string,
  namespace: string,
  server: RunningDevServer | undefined,
  deps: Dependencies,
  codecServer: RunningCodecServer | undefined,
  demoSchedule: string | undefined,
) {
  // The commands below name a tenant: the single-tenant one, or the registry's first.
  const t = deps.tenants.ids()[0] ?? config.tenantId;
  const id = `is-upgrade-${t}`;
  // The server the worker uses, in every command printed: the CLIs' defaults (127.0.0.1:7233, namespace default)
  // are wrong with a non-default TEMPORAL_DEV_PORT or a configured server.
  const at = `--address ${address}${namespace === 'default' ? '' : ` --namespace ${namespace}`}`;
  say('');
  say('Invoice Settlement upgrade worker is running.');
  say(`  Temporal:    ${address}${server ? ' (embedded dev server)' : ''}`);
  if (server) say(`  Web UI:      ${server.uiUrl}`);
  say(`  Task queue:  ${config.taskQueue}`);
  for (const line of deps.describe) say(`  ${line}`);
  say(
    `  Payloads:    ${config.payloadCodec ? `encrypted (AES-256-GCM, current key id ${config.payloadCodec.currentKeyId})` : 'plain JSON (set PAYLOAD_CODEC_KEYS to encrypt)'}`,
  );
  if (codecServer) say(`  Codec:       ${codecServer.url} (Web UI: sign in at ${codecServer.url}/login)`);
  if (demoSchedule) say(`  Schedule:    ${demoSchedule}: the demo's credit memo sync, for the upgrade's step 1`);
  const cli = (() => {
    try {
      return loadTemporalBinaries().cli.path;
    } catch {
      return null;
    }
  })();
  if (cli) say(`  temporal CLI: ${cli} (below as \`temporal\`)`);
  say('');
  say('Start an upgrade:');
  say(
    `  temporal workflow start ${at} --task-queue ${config.taskQueue} --type invoiceSettlementUpgrade --id-reuse-policy RejectDuplicate \\`,
  );
  say(`    --workflow-id ${id} --input '{"tenantId":"${t}","oldConnectorInstanceId":"old-instance-1"}'`);
  say('Where does it stand?');
  say(`  temporal workflow query ${at} --workflow-id ${id} --name status`);
  say('Signal a human step, e.g. Zuora has enabled Invoice Settlement:');
  say(
    `  temporal workflow signal ${at} --workflow-id ${id} --name invoiceSettlementEnabled --input '{"by":"you@example.com"}'`,
  );
  say("Or with the project's CLI (walks you through every step; see the README):");
  say(`  npx is-upgrade start --tenant ${t} --old-instance old-instance-1 --by you@example.com`);
  say(`  npx is-upgrade status ${at} --tenant ${t} --watch`);
  if (config.emulators.zuora) {
    say('On the emulated tenant, "Zuora enables Invoice Settlement" (step 4) is:');
    say(`  curl -X POST http://127.0.0.1:${config.emulatorPorts.zuora}/__admin/enable-invoice-settlement`);
  }
  say('Stop with Ctrl-C.');
  say('');
}

main().catch(async (err) => {
  say(`fatal: ${(err as Error).stack ?? String(err)}`);
  await stopAll();
  process.exit(1);
});
