/** Moving the email method to another address on record, in the same change (forced when its address goes). */
import { Fieldset, Radio, Stack, Text } from '@mantine/core';
import type { UseFormReturnType } from '@mantine/form';
import { Address } from '../../components/ui';
import type { Draft, Values } from './emails-draft';
import classes from './employee.module.css';

interface Props {
  form: UseFormReturnType<Values>;
  /** The address the change removes or corrects away from the email method (null: moving it is only offered). */
  forcedFrom: string | null;
  choices: Draft[];
  busy: boolean;
  ids: { rereg: string; reregError: string };
}

export function ReRegisterChoice({ form, forcedFrom, choices, busy, ids }: Props) {
  const chosen = form.getValues().reRegister;
  return (
    <Fieldset
      legend="Re-register the email method to"
      variant="filled"
      aria-describedby={`${ids.rereg}${form.errors['reRegister'] ? ` ${ids.reregError}` : ''}`}
      className={classes.fieldset}
    >
      <Text size="sm" id={ids.rereg} mb={6}>
        {forcedFrom !== null ? (
          <>
            The email method uses {forcedFrom}, which this change removes or corrects: it must move to another address in the same
            change.
          </>
        ) : (
          'The email method moves to the address you choose.'
        )}{' '}
        A registration code is sent there and the employee finishes setting it up on the self-service portal; MFA stays enabled.
      </Text>
      {form.errors['reRegister'] ? (
        <Text size="sm" c="red.8" fw={500} id={ids.reregError} mb={6}>
          {form.errors['reRegister']}
        </Text>
      ) : null}
      <Stack gap={6}>
        {choices.length === 0 ? <Text size="sm">Add or keep another address first.</Text> : null}
        {choices.map((d) => (
          <Radio
            key={d.key}
            name={ids.rereg}
            value={d.key}
            checked={chosen === d.key}
            disabled={busy}
            aria-invalid={form.errors['reRegister'] ? true : undefined}
            onChange={() => {
              form.setFieldValue('reRegister', d.key);
              form.clearFieldError('reRegister');
            }}
            label={<Address address={d.address.trim()} />}
          />
        ))}
      </Stack>
    </Fieldset>
  );
}
