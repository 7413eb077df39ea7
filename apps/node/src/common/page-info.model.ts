export { PageInfoModel } from '@zizhu/platform';
