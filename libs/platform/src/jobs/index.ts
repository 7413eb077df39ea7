export { CheckpointWebhookJob, checkpointDeliveryId, checkpointWebhookProjection, type CheckpointWebhookOptions } from './checkpoint-webhook.job.js';
export { CleanupJob, type CleanupOptions, type CleanupResult } from './cleanup.job.js';
export { WebhookDeliveryError, postWebhook } from './webhook-post.js';
