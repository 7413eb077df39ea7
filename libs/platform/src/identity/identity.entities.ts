import { ApiKeyEntity } from './api-key.entity.js';
import { RefreshTokenEntity } from './refresh-token.entity.js';
import { UserEntity } from './user.entity.js';
import { AuditRecordEntity } from '../audit/audit-record.entity.js';
import { WebhookDeliveryEntity } from '../webhooks/webhook-delivery.entity.js';
import { WebhookEndpointEntity } from '../webhooks/webhook-endpoint.entity.js';

/** Every TypeORM entity of libs/platform; business modules add theirs beside these. */
export const PLATFORM_ENTITIES = [UserEntity, RefreshTokenEntity, ApiKeyEntity, AuditRecordEntity, WebhookEndpointEntity, WebhookDeliveryEntity];
