// Standalone emulator: `node dist/emulator/main.js --seed seed.json [--port N] [--host H]`.
// Prints its URL on stdout and serves until SIGINT or SIGTERM.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startEmulator } from './server.js';
import type { EmulatorSeed } from './types.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});

if (!values.seed || !/^\d+$/.test(values.port)) {
  process.stderr.write('usage: main.js --seed seed.json [--port N] [--host H]\n');
  process.exit(3);
}

const seed = JSON.parse(readFileSync(values.seed, 'utf8')) as EmulatorSeed;
const emulator = await startEmulator({ seed, host: values.host, port: Number(values.port) });
process.stdout.write(`${emulator.url}\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void emulator.close().then(() => process.exit(0));
  });
}
