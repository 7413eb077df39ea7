export { resolveDatabase, checkDatabaseUrl, EMBEDDED_DATABASE, type ResolvedDatabase, type ResolveDatabaseOptions } from './resolve-database.js';
export { resolveRedis, checkRedisUrl, pingRedis, REDIS_INSTALL_HINT, type ResolvedRedis, type ResolveRedisOptions } from './resolve-redis.js';
