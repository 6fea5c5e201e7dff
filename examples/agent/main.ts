/**
 * Runs the example agent against a running daemon:
 *
 *   node bin/mandate.js agents add "Inbox summariser" --scope mail.read --resource https://mail.example/
 *   MANDATE_CLIENT_ID=agt_… MANDATE_CLIENT_SECRET=… npm run example:agent
 *
 * then approve it in the extension or with `node bin/mandate.js approve <auth_req_id>`. docs/agents.md.
 */
import { DelegationEnded, runTask } from './agent.js';

const env = (name: string, fallback?: string): string => {
  const v = process.env[name] ?? fallback;
  if (v === undefined) {
    console.error(`set ${name} (see docs/agents.md)`);
    process.exit(2);
  }
  return v;
};

try {
  const terms = await runTask(
    {
      issuer: new URL(env('MANDATE_URL', 'http://127.0.0.1:7457')),
      clientId: env('MANDATE_CLIENT_ID'),
      clientSecret: env('MANDATE_CLIENT_SECRET'),
      resource: env('MANDATE_RESOURCE', 'https://mail.example/'),
      scope: env('MANDATE_SCOPE', 'mail.read'),
      task: 'Summarise my unread mail',
      requestedExpiry: 3600,
      log: (line) => console.log(line),
    },
    async (accessToken) => {
      for (let i = 1; i <= 3; i++) {
        const token = await accessToken();
        console.log(`step ${i}: calling the API with a token of ${token.length} characters`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    },
  );
  console.log(`done; the delegation allowed ${terms.scope}`);
} catch (e) {
  if (!(e instanceof DelegationEnded)) throw e;
  console.error(`stopped: ${e.reason} (${e.message})`);
  process.exit(1);
}
