/**
 * Runs the example: MANDATE_ISSUER, MCP_PORT, MANDATE_RS_ID and MANDATE_RS_SECRET (the resource-server client
 * added with `mandate agents add "Example MCP" --kind resource_server --resource http://127.0.0.1:$MCP_PORT/mcp
 * --scope mcp.read --scope mcp.write --scope mcp.admin`).
 */
import { serve } from '@hono/node-server';
import { protectedMcpApp } from './server.js';

const port = Number(process.env.MCP_PORT ?? 3333);
const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`set ${name}`);
  return v;
};
const app = protectedMcpApp({
  issuer: process.env.MANDATE_ISSUER ?? 'http://127.0.0.1:8787',
  resource: `http://127.0.0.1:${port}/mcp`,
  introspection: { clientId: env('MANDATE_RS_ID'), clientSecret: env('MANDATE_RS_SECRET') },
});
serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
console.log(`MCP server on http://127.0.0.1:${port}/mcp, protected by Mandate`);
