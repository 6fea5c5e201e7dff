import * as z from 'zod';

/** Path of the revocation feed (text/event-stream) a registered resource server subscribes to. */
export const REVOCATIONS_PATH = '/revocations';
/** Path where a resource server reports its tool-call decisions (JSON batch). */
export const TOOL_CALLS_PATH = '/tool-calls';

/** Grant states after which none of its tokens may be accepted. */
export const ENDED_STATUSES = ['revoked', 'ended', 'expired'] as const;

/** One feed event (`event: grant`, `id:` = durable sequence): a grant of this resource server's audience ended. */
export const feedGrantEvent = z.lazy(() =>
  z.strictObject({
    grant_id: z.string().min(1).max(100),
    status: z.enum(ENDED_STATUSES),
    at: z.number().int().nonnegative(),
  }),
);
export type FeedGrantEvent = z.infer<typeof feedGrantEvent>;

/** `event: ready`: sent once the backlog is out, with the current sequence. */
export const feedReadyEvent = z.lazy(() => z.strictObject({ seq: z.number().int().nonnegative() }));

export const TOOL_CALL_OUTCOMES = ['allowed', 'refused'] as const;
export const MAX_TOOL_CALLS_PER_BATCH = 500;

/** One decision of a resource server about one tool call: never its arguments or results. */
export const toolCallReport = z.lazy(() =>
  z.strictObject({
    id: z
      .string()
      .min(8)
      .max(100)
      .regex(/^[A-Za-z0-9_.:-]+$/),
    tool: z.string().min(1).max(200),
    outcome: z.enum(TOOL_CALL_OUTCOMES),
    reason: z.string().max(500).optional(),
    grant_id: z.string().min(1).max(100),
    at: z.number().int().nonnegative(),
  }),
);
export type ToolCallReport = z.infer<typeof toolCallReport>;

export const toolCallBatch = z.lazy(() => z.strictObject({ calls: z.array(toolCallReport).min(1).max(MAX_TOOL_CALLS_PER_BATCH) }));
export type ToolCallBatch = z.infer<typeof toolCallBatch>;

export const toolCallBatchResult = z.lazy(() =>
  z.strictObject({
    recorded: z.number().int(),
    duplicates: z.number().int(),
    rejected: z.array(z.strictObject({ id: z.string(), error: z.string() })),
  }),
);
export type ToolCallBatchResult = z.infer<typeof toolCallBatchResult>;

/** A recorded tool call, as the admin API shows it (popup card, Activity timeline). */
export const toolCallView = z.lazy(() =>
  z.strictObject({
    id: z.string(),
    grant_id: z.string(),
    tool: z.string(),
    outcome: z.enum(TOOL_CALL_OUTCOMES),
    reason: z.string().nullable(),
    at: z.number().int(),
  }),
);
export type ToolCallView = z.infer<typeof toolCallView>;
export const toolCallList = z.lazy(() => z.strictObject({ calls: z.array(toolCallView) }));
