// Lints code as if it stood at a path of the project, with the project's own ESLint config (ESLint's Node API).
// A process of its own: the flat config is ESM, which jest's CommonJS runtime cannot import.
// stdin: [{ code, filePath }]; stdout: for each, [{ ruleId, message }].
import { Buffer } from 'node:buffer';
import { ESLint } from 'eslint';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const probes = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const eslint = new ESLint({ cwd: process.cwd() });
const results = [];
for (const { code, filePath } of probes) {
  const [result] = await eslint.lintText(code, { filePath });
  results.push(result.messages.map((m) => ({ ruleId: m.ruleId, message: m.message })));
}
process.stdout.write(JSON.stringify(results));
