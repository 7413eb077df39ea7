// Configuration
export * from './config/config.schema.js';
export * from './config/config.js';
export * from './config/config.module.js';
// Request context, permissions, authentication
export * from './context/principal.js';
export * from './auth/permissions.js';
export * from './auth/allow.decorator.js';
export * from './auth/ctx.decorator.js';
export * from './auth/auth.guard.js';
export * from './auth/authenticator.service.js';
export * from './auth/auth.module.js';
// Database
export * from './database/data-source-options.js';
export * from './database/database.module.js';
export * from './database/wait-for-database.js';
// Ledger
export * from './ledger/ledger.service.js';
export * from './ledger/ledger.module.js';
export * from './ledger/organization-directory.service.js';
export * from './ledger/ledger-errors.js';
export * from './ledger/node-home.js';
export * from './ledger/node-keystore.js';
export * from './ledger/async-queue.js';
export * from './ledger/slices.js';
export * from './ledger/seal-sign-pool.js';
export * from './ledger/write-forwarding.js';
// Identity and audit
export * from './identity/user.entity.js';
export * from './identity/refresh-token.entity.js';
export * from './identity/api-key.entity.js';
export * from './identity/identity.entities.js';
export * from './identity/password-hasher.js';
export * from './identity/signing-keys.service.js';
export * from './identity/users.service.js';
export * from './identity/sessions.service.js';
export * from './identity/api-keys.service.js';
export * from './identity/identity.module.js';
export * from './audit/audit-record.entity.js';
export * from './audit/audit.service.js';
export * from './audit/audit.module.js';
export * from './privacy/index.js';
export * from './bootstrap/dev-consortium.bootstrap.js';
export * from './bootstrap/bootstrap.module.js';
// Business modules: the extension point, documents in the content store
export * from './modules/index.js';
export * from './content/index.js';
// GraphQL
export * from './graphql/errors.js';
export * from './graphql/error-formatter.js';
export * from './graphql/request-errors.js';
export * from './graphql/query-limits.plugin.js';
export * from './graphql/rate-limiter.service.js';
export * from './graphql/operation-plugins.js';
export * from './graphql/graphql-setup.module.js';
export * from './graphql/graphql-limits.module.js';
export * from './graphql/json.scalar.js';
export * from './graphql/pagination.js';
export * from './graphql/request-batcher.js';
export * from './graphql/connection.js';
export * from './graphql/validation.pipe.js';
// HTTP and observability
export * from './http/http-error.filter.js';
export * from './http/instrument-http.js';
export * from './http/rate-limited.decorator.js';
export * from './observability/metrics.service.js';
export * from './observability/observability.module.js';
export * from './observability/health.controller.js';
export * from './observability/health.module.js';
export * from './observability/json-logger.js';
// Queues and jobs (BullMQ behind a PostgreSQL outbox)
export * from './queue/index.js';
export * from './jobs/index.js';
// Event webhooks: endpoints of organisations, deliveries signed Stripe-style
export * from './webhooks/index.js';
// The embedded default: PostgreSQL under ZIZHU_HOME, Redis resolution
export * from './embedded/index.js';
