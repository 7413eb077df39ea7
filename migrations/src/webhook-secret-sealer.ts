/**
 * How the migrations seal and open webhook endpoints' signing secrets. The key is configuration,
 * not schema, so the node provides it (setWebhookSecretSealer, at boot, before its migrations
 * run) rather than this package reading the environment.
 */
export interface WebhookSecretSealer {
  seal(endpointId: string, secret: string): string;
  open(endpointId: string, sealed: string): string;
}

let provided: WebhookSecretSealer | undefined;

export function setWebhookSecretSealer(sealer: WebhookSecretSealer | undefined): void {
  provided = sealer;
}

/** The sealer the node provided; a migration with secrets to convert and none provided stops, saying so. */
export function webhookSecretSealer(): WebhookSecretSealer {
  if (!provided) throw new Error('webhook endpoints hold secrets to convert, and no key was provided: run the migrations through the node (it provides WEBHOOK_SECRET_KEYS or the key derived from its passphrase)');
  return provided;
}
