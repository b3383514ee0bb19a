// A customer's fonial telephone system, in Fonella's terms: click-to-call through one of its IP
// phones, its devices and numbers, and its call records (outbound EVN and the inbound journal).

export interface FonialDevice {
  id: number;
  name: string;
}

export interface FonialNumber {
  id: number;
  /** E.164, e.g. "+4930231250000". */
  number: string;
}

export interface Period {
  from: Date;
  to: Date;
}

/** One outbound call from the itemised bill (EVN). */
export interface CallRecord {
  from: string;
  to: string;
  /** Tariff zone as fonial names it, e.g. "Deutschland (Festnetz)". */
  destination: string;
  startedAt: Date;
  endedAt: Date;
  durationSeconds: number;
  /** EUR as decimal text, as fonial bills it (e.g. "0.1000"): no float rounding on the way. */
  cost: string;
  sipUser: string;
  /** Name of the device or target that placed the call. */
  device: string;
}

/** fonial's status of an inbound call; only TAKEN (answered) is documented, others pass through. */
export type JournalStatus = 'TAKEN' | (string & {});

/** One inbound call from the journal. */
export interface JournalEntry {
  at: Date;
  from: string;
  to: string;
  status: JournalStatus;
  answered: boolean;
}

export interface FonialPhoneSystem {
  /** Rings the device first; once picked up, fonial dials `target` (E.164) and connects both. */
  placeCallback(input: { target: string; device?: number }): Promise<void>;
  listDevices(): Promise<FonialDevice[]>;
  listNumbers(): Promise<FonialNumber[]>;
  /** Outbound calls that started within the period. */
  callRecords(period: Period): Promise<CallRecord[]>;
  /** Inbound calls within the period. */
  inboundJournal(period: Period): Promise<JournalEntry[]>;
}
