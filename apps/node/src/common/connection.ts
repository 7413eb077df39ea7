export { ConnectionType, toConnection, type Connection, type Edge } from '@zizhu/platform';
