export { MAX_PAGE, PageArgs } from '@zizhu/platform';
