/** The emails form's values: the addresses as drafts (one per row of the form) and the choices around them. */
import type { EmailKind, EmailOwner } from '../../../../shared/domain';
import { EMAIL_KIND_LABELS } from '../../format';

export const MAX_ADDRESSES = 10;

export interface Draft {
  /** Stays put while the address is typed (React key, radio value). */
  key: string;
  id: number | null;
  kind: EmailKind;
  address: string;
}

export type Values = {
  emails: Draft[];
  /** The draft the one-time codes go to ('' for none). */
  codes: string;
  /** Offered (not forced): move the email method to another address. */
  offerReRegister: boolean;
  /** The draft the email method is re-registered to ('' for none). */
  reRegister: string;
  ticketRef: string;
  confirmed: boolean;
  reason: string;
};

export type Problem = { kind: 'stale'; message: string } | { kind: 'duplicate'; message: string; owners: EmailOwner[] } | { kind: 'error'; message: string };

let serial = 0;
export const newKey = () => `new-${++serial}`;

/** "Work address", or "Work address 2" when there is more than one of its kind. */
export function labelOf(d: Draft, drafts: Draft[]): string {
  const same = drafts.filter((x) => x.kind === d.kind);
  const base = `${EMAIL_KIND_LABELS[d.kind]} address`;
  return same.length > 1 ? `${base} ${same.indexOf(d) + 1}` : base;
}

export const sameAddress = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
