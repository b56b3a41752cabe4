// Structured logs: one JSON object per line (or a readable line with LOG_FORMAT=pretty). The SDK adds workflow and
// activity ids (workflowId, runId, activityId, activityType, attempt) to the meta of every log from workflow and
// activity context, so each line says which upgrade it belongs to.
import { DefaultLogger, type LogEntry, type LogLevel, type Logger } from '@temporalio/worker';

export function createLogger(level: LogLevel, format: 'json' | 'pretty' = 'json'): Logger {
  return new DefaultLogger(level, (entry: LogEntry) => {
    const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
    if (format === 'pretty') {
      const meta = entry.meta && Object.keys(entry.meta).length > 0 ? ' ' + JSON.stringify(entry.meta, replacer) : '';
      process.stdout.write(`${time} ${entry.level.padEnd(5)} ${entry.message}${meta}\n`);
    } else {
      process.stdout.write(
        JSON.stringify({ time, level: entry.level, msg: entry.message, ...entry.meta }, replacer) + '\n',
      );
    }
  });
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}
