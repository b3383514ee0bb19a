// Phone numbers and SIP devices on Fonella's Sipgate account, in Fonella's terms.

export interface SipgateNumber {
  id: string;
  /** E.164, e.g. +4921112345678. */
  number: string;
  type: string;
  /**
   * The number as Sipgate writes it nationally, its area code the first group (`0211 55501010`);
   * null when Sipgate gives none.
   */
  localized: string | null;
  /** The phoneline or device the number rings, if any. */
  endpointId: string | null;
}

export interface SipgateDevice {
  id: string;
  alias: string;
  type: string;
}

export interface RegisterDevice {
  /** Sipgate's device id, e.g. `e5`. */
  deviceId: string;
  /** The SIP user the device registers with (sipgate's `credentials.username`, its web app's "SIP-ID"). */
  sipId: string;
  /** Sipgate returns it on creation and in every device list: store it encrypted or not at all, never log it. */
  password: string;
}

/** How a SIP client registers as one register device (for a jambonz carrier that receives its calls). */
export interface DeviceLogin {
  /** The SIP user (sipgate's `credentials.username`). */
  sipId: string;
  /** Never stored by us, never logged: it only passes on to the party that registers. */
  password: string;
  /** The registrar, e.g. `sipgate.de`. */
  sipServer: string;
}

export interface Telephony {
  listNumbers(): Promise<SipgateNumber[]>;
  /**
   * A new register (SIP) device for a Sipgate web user (`w0`...). Without the user's
   * CAN_CREATE_REGISTER_DEVICE right (or the token's devices:write scope) it throws
   * `SipgateRegisterDeviceForbiddenError`.
   */
  createRegisterDevice(input: { userId: string; alias: string }): Promise<RegisterDevice>;
  /** The user's devices, without their credentials (which sipgate's list carries). */
  listDevices(userId: string): Promise<SipgateDevice[]>;
  /** One register device's SIP login, from the user's device list; ProviderNotFoundError when the user has no such register device. */
  deviceLogin(input: { userId: string; deviceId: string }): Promise<DeviceLogin>;
  /** Deletes a device; the shared trunk device is refused before any call is made. */
  deleteDevice(deviceId: string): Promise<void>;
  /** Rings `endpointId` (a device or phoneline) for calls to the number. */
  routeNumber(input: { numberId: string; endpointId: string }): Promise<void>;
}
