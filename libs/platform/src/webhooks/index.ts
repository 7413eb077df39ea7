export { WebhookEndpointEntity } from './webhook-endpoint.entity.js';
export { WEBHOOK_SIGNATURE_HEADER, signWebhookPayload, verifyWebhookSignature } from './webhook-signature.js';
export { EVENT_FILTER_PATTERN, EVENT_TYPE_PATTERN, enqueueEventWebhooks, type WebhookEvent } from './event-webhooks.js';
export { EventWebhookJob, type EventWebhookOptions, type EventDeliveryResult } from './event-webhook.job.js';
export * from './webhook-endpoints.service.js';
export { WebhookEndpointsResolver } from './webhook-endpoints.resolver.js';
export * from './models/webhook-endpoint.model.js';
export * from './dto/webhook-endpoint.inputs.js';
