import { join, resolve } from 'node:path';
import { Module, type DynamicModule } from '@nestjs/common';
import { ZIZHU_CONFIG } from '../config/config.js';
import type { ZizhuConfig } from '../config/config.schema.js';
import { ContentHttp, UPLOAD_STAGING_DIR } from './content-http.js';
import { CONTENT_STORE } from './content-store.js';
import { LocalContentStore } from './local-content-store.js';
import { SealedOriginals } from './sealed-originals.service.js';

/** CONTENT_STORE_DIR, or ZIZHU_HOME/content. */
export function contentStoreDir(config: ZizhuConfig): string {
  return resolve(config.CONTENT_STORE_DIR || join(config.ZIZHU_HOME, 'content'));
}

/**
 * The node's ContentStore (local filesystem), the upload and download helpers and sealed originals,
 * for every module (SealedOriginals needs the global PrivacyModule beside it).
 */
@Module({})
export class ContentModule {
  static forRoot(): DynamicModule {
    return {
      module: ContentModule,
      global: true,
      providers: [
        { provide: CONTENT_STORE, inject: [ZIZHU_CONFIG], useFactory: (config: ZizhuConfig) => LocalContentStore.open(contentStoreDir(config)) },
        // Staged uploads live beside the store's own temporary files (cleaned at open when stale).
        { provide: UPLOAD_STAGING_DIR, inject: [ZIZHU_CONFIG], useFactory: (config: ZizhuConfig) => join(contentStoreDir(config), 'tmp') },
        ContentHttp,
        SealedOriginals,
      ],
      exports: [CONTENT_STORE, UPLOAD_STAGING_DIR, ContentHttp, SealedOriginals],
    };
  }
}
