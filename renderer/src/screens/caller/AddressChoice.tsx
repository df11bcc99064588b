/** Which address on record a code goes to, when there is more than one. */
import { Radio, Stack } from '@mantine/core';
import type { EmployeeDetail, EmployeeEmail } from '../../../../shared/domain';
import { Address } from '../../components/ui';

/** The address codes go to now (else the first on record), as a radio value; '' with none. */
export function defaultEmailId(e: EmployeeDetail): string {
  return String(e.emails.find((m) => m.usedForCodes)?.id ?? e.emails[0]?.id ?? '');
}

export function AddressChoice({ emails, value, onChange, label }: { emails: EmployeeEmail[]; value: string; onChange: (id: string) => void; label: string }) {
  return (
    <Radio.Group value={value} onChange={onChange} label={label} size="sm">
      <Stack gap={4} mt={4}>
        {emails.map((m) => (
          <Radio key={m.id} value={String(m.id)} label={<Address address={m.address} />} />
        ))}
      </Stack>
    </Radio.Group>
  );
}
