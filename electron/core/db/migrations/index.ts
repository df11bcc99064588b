import type { Migration } from './types';
import { migration as m0001 } from './0001_settings';
import { migration as m0002 } from './0002_employees';
import { migration as m0003 } from './0003_employee_emails';
import { migration as m0004 } from './0004_factors';
import { migration as m0005 } from './0005_one_time_codes';
import { migration as m0006 } from './0006_mail_outbox';
import { migration as m0007 } from './0007_desk_users';
import { migration as m0008 } from './0008_tickets';
import { migration as m0009 } from './0009_audit_events';
import { migration as m0010 } from './0010_employee_search';
import { migration as m0011 } from './0011_employee_ranking';
import { migration as m0012 } from './0012_search_statistics';
import { migration as m0013 } from './0013_mfa_operations';
import { migration as m0014 } from './0014_prune_indexes';
import { migration as m0015 } from './0015_audit_chain';
import { migration as m0016 } from './0016_audit_time_order';
import { migration as m0017 } from './0017_desk_user_admin';
import { migration as m0018 } from './0018_ticket_workflow';
import { migration as m0019 } from './0019_audit_signatures';
import { migration as m0020 } from './0020_signin_failures';
import { migration as m0021 } from './0021_portal_keys';
import { migration as m0022 } from './0022_signin_verifications';
import { migration as m0023 } from './0023_portal_requests';
import { migration as m0024 } from './0024_sign_in_codes';

/** Every migration, in order. Append only. */
export const MIGRATIONS: readonly Migration[] = [m0001, m0002, m0003, m0004, m0005, m0006, m0007, m0008, m0009, m0010, m0011, m0012, m0013, m0014, m0015, m0016, m0017, m0018, m0019, m0020, m0021, m0022, m0023, m0024];
export type { Migration };
