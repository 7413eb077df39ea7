export { CheckpointWebhookJob, WebhookDeliveryError, checkpointDeliveryId, checkpointWebhookProjection, type CheckpointWebhookOptions } from './checkpoint-webhook.job.js';
export { CleanupJob, type CleanupOptions, type CleanupResult } from './cleanup.job.js';
