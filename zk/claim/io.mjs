// The JSON-in/JSON-out convention of the command-line helpers (apps/chain/anonymous_rewards.py runs
// them): one request object on stdin, one answer on stdout with big integers as decimal strings, or
// the error's message alone on stderr and exit status 1.
import { readFileSync } from 'node:fs';

export async function answer(handler) {
  try {
    const result = await handler(JSON.parse(readFileSync(0, 'utf8')));
    process.stdout.write(JSON.stringify(result, (_, value) => (typeof value === 'bigint' ? value.toString() : value)));
    process.exitCode = 0;
  } catch (error) {
    process.stderr.write(String(error?.message ?? error));
    process.exitCode = 1;
  }
  // snarkjs leaves worker threads alive after proving; the answer is written, so end here.
  process.exit();
}
