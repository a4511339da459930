// tsc does not keep the executable bit; the CLI is a `bin`, so give it one.
const fs = require('node:fs');
const path = require('node:path');
const cli = path.join(__dirname, '..', 'dist', 'electron', 'cli.js');
if (fs.existsSync(cli)) fs.chmodSync(cli, 0o755);
