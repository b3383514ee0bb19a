// jambonz in Fonella's terms: outbound calls, and the numbers, applications, SIP carriers and their
// gateways that route calls between a trunk and our call-control webhooks. Sids are jambonz UUIDs.

export interface Webhook {
  url: string;
  /** jambonz defaults to POST. */
  method?: 'GET' | 'POST';
  /** HTTP Basic credentials jambonz sends with each request to the hook. */
  username?: string;
  password?: string;
}

/**
 * Who controls the call: an application (the given one, else the configured default), or hooks given
 * for this call alone, which run on the configured speech settings (jambonz requires them without an application).
 */
export type CallControl =
  | { applicationSid?: string; callHook?: never; callStatusHook?: never }
  | { callHook: Webhook; callStatusHook: Webhook; applicationSid?: never };

export type NewCall = CallControl & {
  /** Caller id shown to the callee. */
  from: string;
  /** E.164 number to dial. */
  to: string;
  /** Metadata jambonz hands to every webhook of the call. */
  tag?: Record<string, unknown>;
};

export interface PhoneNumber {
  sid: string;
  /** E.164 (jambonz stores it without the "+"; the adapter adds it back). */
  number: string;
  carrierSid: string;
  applicationSid?: string;
}

export interface Application {
  sid: string;
  name: string;
  callHook?: Webhook;
  callStatusHook?: Webhook;
}

/** The SIP trunk a carrier registers with, when it needs a REGISTER to receive calls. */
export interface CarrierRegistration {
  username: string;
  sipRealm: string;
  password: string;
}

export interface Carrier {
  sid: string;
  name: string;
  description?: string;
  /** Whether INVITEs to this carrier carry a leading "+". */
  e164LeadingPlus: boolean;
  /** The registration without its password, which we never read back. */
  registration?: Omit<CarrierRegistration, 'password'>;
  applicationSid?: string;
}

export interface SipGateway {
  sid: string;
  carrierSid: string;
  /** IPv4 address (or, for outbound only, a host name). */
  address: string;
  port: number;
  inbound: boolean;
  outbound: boolean;
}

export interface JambonzPlatform {
  createCall(call: NewCall): Promise<{ sid: string }>;

  listPhoneNumbers(): Promise<PhoneNumber[]>;
  createPhoneNumber(input: { number: string; carrierSid: string; applicationSid?: string }): Promise<{ sid: string }>;
  deletePhoneNumber(sid: string): Promise<void>;

  listApplications(): Promise<Application[]>;
  createApplication(input: { name: string; callHook: Webhook; callStatusHook: Webhook }): Promise<{ sid: string }>;
  deleteApplication(sid: string): Promise<void>;

  listCarriers(): Promise<Carrier[]>;
  createCarrier(input: {
    name: string;
    description?: string;
    e164LeadingPlus?: boolean;
    registration?: CarrierRegistration;
    /** Application for inbound calls on this carrier's numbers that have none of their own. */
    applicationSid?: string;
  }): Promise<{ sid: string }>;
  deleteCarrier(sid: string): Promise<void>;

  listSipGateways(carrierSid: string): Promise<SipGateway[]>;
  createSipGateway(input: {
    carrierSid: string;
    address: string;
    port?: number;
    inbound?: boolean;
    outbound?: boolean;
  }): Promise<{ sid: string }>;
  deleteSipGateway(sid: string): Promise<void>;
}
