import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { TsprofError, errorMessage } from '../errors.js';

/** AgentTlsOptions make the agent serve HTTPS: PEM text or paths of PEM files. */
export interface AgentTlsOptions {
  /** The certificate chain, PEM (env TSPROF_TLS_CERT: a file path). */
  cert: string | Buffer;
  /** Its private key, PEM (env TSPROF_TLS_KEY: a file path). */
  key: string | Buffer;
}

/** ResolvedTls is a certificate and key read and checked. */
export interface ResolvedTls {
  cert: Buffer;
  key: Buffer;
}

function pem(what: string, value: string | Buffer, envName: string | undefined): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value.includes('-----BEGIN')) return Buffer.from(value);
  try {
    return readFileSync(value);
  } catch (err) {
    throw new TsprofError(`tsprof agent: cannot read the TLS ${what} ${envName ? `(${envName}) ` : ''}${JSON.stringify(value)}: ${errorMessage(err)}`);
  }
}

/**
 * resolveAgentTls reads the certificate and key (from the option, else
 * TSPROF_TLS_CERT and TSPROF_TLS_KEY) and checks they make a TLS context;
 * undefined when neither is set. One without the other is an error.
 */
export function resolveAgentTls(options: AgentTlsOptions | undefined, env: NodeJS.ProcessEnv): ResolvedTls | undefined {
  const certValue = options?.cert ?? (env.TSPROF_TLS_CERT || undefined);
  const keyValue = options?.key ?? (env.TSPROF_TLS_KEY || undefined);
  if (certValue === undefined && keyValue === undefined) return undefined;
  if (certValue === undefined || keyValue === undefined) {
    throw new TsprofError('tsprof agent: TLS needs both a certificate (TSPROF_TLS_CERT) and its key (TSPROF_TLS_KEY)');
  }
  const fromEnv = options === undefined;
  const cert = pem('certificate', certValue, fromEnv ? 'TSPROF_TLS_CERT' : undefined);
  const key = pem('key', keyValue, fromEnv ? 'TSPROF_TLS_KEY' : undefined);
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new TsprofError(`tsprof agent: the TLS certificate and key do not make a TLS context: ${errorMessage(err)}`);
  }
  return { cert, key };
}
