/** Graph's error body: `{ error: { code, message, innerError } }`. */
import crypto from 'node:crypto';
import type { Response } from 'express';
import type { PlannedFault } from '../shared/fault-plan';

export function sendGraphError(response: Response, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  response
    .status(status)
    .set(headers)
    .json({ error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': crypto.randomUUID(), 'client-request-id': crypto.randomUUID() } } });
}

const FAULT_CODES: Record<number, string> = {
  400: 'BadRequest',
  401: 'InvalidAuthenticationToken',
  403: 'ErrorAccessDenied',
  404: 'ErrorItemNotFound',
  409: 'ErrorIrresolvableConflict',
  410: 'syncStateNotFound',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

export function sendFault(response: Response, fault: PlannedFault): void {
  const headers: Record<string, string> = fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {};
  sendGraphError(response, fault.status, fault.reason ?? FAULT_CODES[fault.status] ?? 'UnknownError', fault.message ?? 'Scripted failure', headers);
}
