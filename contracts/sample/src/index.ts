export { NotaryContract } from './notary.contract.js';
