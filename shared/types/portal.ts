/** The keys of the self-service portal's integrations with `desk portal` (admins manage them). */

/** A portal key as admins see it: never the key itself, which is shown once when it is made. */
export interface PortalKeyView {
  id: number;
  /** The integration the key belongs to; its audit rows name the actor `portal:<integration>`. */
  integration: string;
  /** The key's first characters, to tell two keys of one integration apart. */
  hint: string;
  createdAt: string;
  createdBy: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
}

/** A key just made: `key` is shown this once and kept only as a hash. */
export interface PortalKeyCreated {
  portalKey: PortalKeyView;
  key: string;
}
