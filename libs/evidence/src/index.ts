export * from './evidence.module.js';
export * from './evidence.service.js';
export * from './entities/evidence-record.entity.js';
export * from './entities/evidence-flow.entity.js';
export * from './entities/evidence-envelope.entity.js';
export * from './entities/evidence-original.entity.js';
export * from './projections/evidence-records.projection.js';
export { evidenceCertificatePdf } from './evidence-certificate.pdf.js';
