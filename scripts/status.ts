// `npm run -s status`: the running local stack's banner again (URLs, the hub, the demo tokens, the log
// file), from .local/stack.json (or STACK_FILE), with whether its API answers.
import { fileURLToPath } from 'node:url';
import { banner, readStackFile, stackFilePath } from '../lib/local/stack-file';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const file = stackFilePath(REPO_ROOT);
const info = readStackFile(file);
if (!info) {
  console.error(`No local stack: ${process.env.STACK_FILE ?? '.local/stack.json'} does not exist. Start one with \`npm start\`.`);
  process.exit(1);
}
const answers = await fetch(`${info.apiUrl}/v1/health`, { signal: AbortSignal.timeout(2000) }).then(
  (res) => res.ok,
  () => false,
);
console.log(banner(info, REPO_ROOT));
if (!answers) {
  console.error(`\nThe API at ${info.apiUrl} does not answer: the stack that wrote ${file} is gone or still starting.`);
  process.exit(1);
}
