/**
 * `mandate/resource-server`: verify Mandate tokens in an API or MCP server, learn revocations within
 * milliseconds, check every tool call against a tool → scope map, and report each decision to the audit trail.
 * See docs/resource-servers.md.
 */
export { MandateTokenError, bearerToken, type ChallengeParams, type MandateTokenErrorCode } from './errors.js';
export { mandateAuth, type MandateAuthOptions, type MandateEnv } from './hono.js';
export {
  allowedTools,
  mcpTokenVerifier,
  mcpToolGuard,
  protectedResourceMetadata,
  protectedResourceMetadataPath,
  type McpAuthInfo,
  type McpSdkErrors,
  type ToolScopes,
} from './mcp.js';
export { mandateMiddleware, sendTokenError, type MandateRequest } from './node.js';
export { createReporter, type Reporter, type ReporterOptions, type ToolCallDecision } from './reporter.js';
export { createVerifier, type VerifiedToken, type Verifier, type VerifierOptions } from './verifier.js';
