// Sipgate REST API v2 over plain fetch with HTTP Basic (token id : token). The sipgateio SDK has no
// device or routing calls, so none is used. Device passwords never reach an error or a log line.
import { ForbiddenError, ProviderError, ProviderNotFoundError, ProviderRejectedError, ProviderUnavailableError } from '../../errors';
import { providerHttp } from '../http';
import type { SipgateDevice, SipgateNumber, Telephony } from './port';

/**
 * Sipgate refused to create a register device (403): the web user lacks the restriction
 * CAN_CREATE_REGISTER_DEVICE (a product or account setting), or the token lacks the devices:write
 * scope. Sipgate's answer does not say which; neither is fixed by retrying.
 */
export class SipgateRegisterDeviceForbiddenError extends ProviderRejectedError {
  readonly userId: string;

  constructor(userId: string, opts: { cause?: unknown } = {}) {
    super('sipgate', 'create register device', { ...opts, providerStatus: 403 });
    this.userId = userId;
    this.message =
      `sipgate create register device: forbidden (HTTP 403) for web user ${userId}: the user lacks the ` +
      'CAN_CREATE_REGISTER_DEVICE restriction, or the personal access token lacks the devices:write scope';
  }
}

export interface SipgateSettings {
  /** https://api.sipgate.com/v2, or the emulator's base URL. */
  baseUrl: string;
  tokenId: string;
  token: string;
  /** Devices that must never be deleted (the shared trunk's). */
  protectedDeviceIds?: string[];
  timeoutMs?: number;
}

interface NumberItem {
  id: string;
  number: string;
  localized?: string | null;
  type?: string;
  endpointId?: string | null;
}
interface DeviceItem {
  id: string;
  alias?: string;
  type?: string;
  /** sipgate's CredentialsResponse (register devices only). */
  credentials?: { username?: string; password?: string; sipServer?: string; outboundProxy?: string };
}

export function sipgateAdapter(s: SipgateSettings): Telephony {
  const basic = Buffer.from(`${s.tokenId}:${s.token}`).toString('base64');
  const http = providerHttp({
    provider: 'sipgate',
    baseUrl: s.baseUrl,
    headers: () => ({ authorization: `Basic ${basic}` }),
    timeoutMs: s.timeoutMs,
  });
  const protectedIds = new Set(s.protectedDeviceIds ?? []);
  const seg = encodeURIComponent;

  return {
    async listNumbers() {
      const { body } = await http.request<{ items?: NumberItem[] }>('list numbers', { method: 'GET', path: '/numbers' });
      return (body?.items ?? []).map(
        (n): SipgateNumber => ({ id: n.id, number: n.number, type: n.type ?? 'UNKNOWN', localized: n.localized || null, endpointId: n.endpointId || null }),
      );
    },

    async createRegisterDevice({ userId, alias }) {
      const { body } = await http
        .request<DeviceItem>('create register device', {
          method: 'POST',
          path: `/${seg(userId)}/devices/register`,
          json: { alias },
        })
        .catch((err: unknown) => {
          if (err instanceof ProviderError && err.providerStatus === 403) throw new SipgateRegisterDeviceForbiddenError(userId, { cause: err.message });
          throw err;
        });
      const sipId = body?.credentials?.username;
      const password = body?.credentials?.password;
      if (!body?.id || !sipId || !password) {
        throw new ProviderUnavailableError('sipgate', 'create register device', { cause: 'answer lacks id or credentials' });
      }
      return { deviceId: body.id, sipId, password };
    },

    async listDevices(userId) {
      const { body } = await http.request<{ items?: DeviceItem[] }>('list devices', {
        method: 'GET',
        path: `/${seg(userId)}/devices`,
      });
      return (body?.items ?? []).map((d): SipgateDevice => ({ id: d.id, alias: d.alias ?? '', type: d.type ?? 'UNKNOWN' }));
    },

    async deviceLogin({ userId, deviceId }) {
      const { body } = await http.request<{ items?: DeviceItem[] }>('read device login', {
        method: 'GET',
        path: `/${seg(userId)}/devices`,
      });
      const c = body?.items?.find((d) => d.id === deviceId)?.credentials;
      // Not a register device of this user (or one without credentials): nothing to register as.
      if (!c?.username || !c.password) throw new ProviderNotFoundError('sipgate', 'read device login', { cause: `no register device ${deviceId}` });
      return { sipId: c.username, password: c.password, sipServer: c.sipServer || 'sipgate.de' };
    },

    async deleteDevice(deviceId) {
      if (protectedIds.has(deviceId)) {
        throw new ForbiddenError(`Device ${deviceId} is the shared trunk and is never deleted.`, 'protected-device');
      }
      await http.request('delete device', { method: 'DELETE', path: `/devices/${seg(deviceId)}` });
    },

    async routeNumber({ numberId, endpointId }) {
      await http.request('route number', { method: 'PUT', path: `/numbers/${seg(numberId)}`, json: { endpointId } });
    },
  };
}
