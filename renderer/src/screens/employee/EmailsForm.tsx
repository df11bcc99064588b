/**
 * The form that changes the emails on record, on a webchat ticket, against the record version it
 * was opened on: correct, remove or add addresses, choose the one for codes, and move the email
 * method when its address goes. The main process checks everything again: a stale version comes
 * back as "someone else changed this record", an address on another employee's record needs a
 * confirmation with a reason.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { Alert, Button, Checkbox, Fieldset, Group, List, Radio, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconAlertTriangle, IconPlus, IconRefresh, IconTrash } from '@tabler/icons-react';
import { emailAddressProblem } from '../../../../shared/channels/records';
import { ticketRefSchema } from '../../../../shared/schemas';
import type { EmailOwner, EmployeePageData } from '../../../../shared/domain';
import { DeskError } from '../../../../shared/errors';
import { Address } from '../../components/ui';
import { notify } from '../../lib/feedback';
import { reportFormError } from '../../lib/forms';
import { useChannelMutation } from '../../lib/query';
import { MAX_ADDRESSES, labelOf, newKey, sameAddress, type Problem, type Values } from './emails-draft';
import { ReRegisterChoice } from './ReRegisterChoice';
import { SaveEmailsDialog } from './SaveEmailsDialog';
import classes from './employee.module.css';

export function EmailsForm({
  page,
  initialTicketRef,
  onCancel,
  onSaved,
  onReload,
}: {
  page: EmployeePageData;
  initialTicketRef: string | undefined;
  onCancel: () => void;
  onSaved: () => Promise<void>;
  onReload: () => Promise<void>;
}) {
  const e = page.employee;
  const version = e.version;
  const onRecord = new Map(e.emails.map((m) => [m.id, m]));
  const [problem, setProblemState] = useState<Problem | null>(null);
  // The validation rules read the latest problem (a duplicate asks for a confirmation and a reason).
  const problemRef = useRef<Problem | null>(null);
  const setProblem = (p: Problem | null) => {
    problemRef.current = p;
    setProblemState(p);
  };
  const [confirming, setConfirming] = useState(false);
  const save = useChannelMutation('records.updateEmails');
  const ids = { codes: useId(), rereg: useId(), reregError: useId() };

  // The email method and the address it uses (matched to the address on record).
  const method = e.factors.find((f) => f.type === 'email' && f.state === 'active') ?? e.factors.find((f) => f.type === 'email' && f.state === 'pending') ?? null;
  const methodEmail = method?.emailAddress ? (e.emails.find((m) => sameAddress(m.address, method.emailAddress!)) ?? null) : null;

  const form = useForm<Values>({
    initialValues: {
      emails: e.emails.map((m) => ({ key: `id-${m.id}`, id: m.id, kind: m.kind, address: m.address })),
      codes: (() => {
        const m = e.emails.find((x) => x.usedForCodes);
        return m ? `id-${m.id}` : '';
      })(),
      offerReRegister: false,
      reRegister: '',
      ticketRef: initialTicketRef ?? '',
      confirmed: false,
      reason: '',
    },
    validate: (v) => {
      const errors: Record<string, string> = {};
      v.emails.forEach((d, i) => {
        const address = d.address.trim();
        const was = d.id !== null ? onRecord.get(d.id) : undefined;
        if (address === '') errors[`emails.${i}.address`] = 'Enter the address, or remove it';
        else if (!was || was.address !== address) {
          const p = emailAddressProblem(address);
          if (p) errors[`emails.${i}.address`] = p;
        }
      });
      const ticket = ticketRefSchema.safeParse(v.ticketRef);
      if (!ticket.success) errors['ticketRef'] = ticket.error.issues[0]?.message ?? 'Enter the webchat ticket reference';
      if (methodGoes(v) && method?.state === 'active' && !v.reRegister) errors['reRegister'] = 'Choose the address to re-register the email method to';
      if (problemRef.current?.kind === 'duplicate' || v.confirmed) {
        if (!v.confirmed) errors['confirmed'] = 'Confirm the address is right for this employee, or change it';
        else if (v.reason.trim().length < 10) errors['reason'] = 'Write the reason (at least 10 characters)';
      }
      return errors;
    },
  });

  const values = form.getValues();
  const drafts = values.emails;
  /** Does this change remove or correct away the address the email method uses? */
  function methodGoes(v: Values): boolean {
    if (!methodEmail) return false;
    const d = v.emails.find((x) => x.id === methodEmail.id);
    return !d || !sameAddress(d.address, methodEmail.address);
  }
  const needsReRegister = method?.state === 'active' && methodGoes(values);
  const showReRegister = method !== null && (needsReRegister || values.offerReRegister);
  const reRegisterChoices = drafts.filter((d) => d.address.trim() !== '' && !(methodEmail && d.id === methodEmail.id && !methodGoes(values)));
  const codesKey = values.reRegister || values.codes;
  const addressOf = (key: string) => drafts.find((d) => d.key === key)?.address.trim() ?? '';

  // Everyone told about the change: every address on record now and every one it will hold.
  const recipients: string[] = [];
  for (const a of [...drafts.map((d) => d.address.trim()), ...e.emails.map((m) => m.address)]) {
    if (a && !recipients.some((r) => sameAddress(r, a))) recipients.push(a);
  }

  function remove(index: number) {
    const d = drafts[index]!;
    form.removeListItem('emails', index);
    if (values.codes === d.key) form.setFieldValue('codes', '');
    if (values.reRegister === d.key) form.setFieldValue('reRegister', '');
  }

  async function send() {
    const v = form.getValues();
    setProblem(null);
    try {
      const r = await save.mutateAsync({
        employeeId: e.id,
        ticketRef: v.ticketRef.trim(),
        version,
        emails: v.emails.map((d) => ({ ...(d.id !== null ? { id: d.id } : {}), kind: d.kind, address: d.address.trim(), usedForCodes: d.key === (v.reRegister || v.codes) })),
        ...(v.reRegister ? { reEmailFactorTo: addressOf(v.reRegister) } : {}),
        ...(v.confirmed ? { confirmDuplicate: true, reason: v.reason.trim() } : {}),
      });
      setConfirming(false);
      const extra = r.reRegistration ? ` A registration code for the email method was sent to ${r.reRegistration.recipient}.` : '';
      notify.success(
        `The emails on record were changed (record version ${r.version}).${extra} A confirmation went to ${
          r.confirmations === 1 ? 'the address' : `all ${r.confirmations} addresses`
        }, old and new (reference ${r.reference}).`,
        'Emails on record saved',
      );
      await onSaved();
    } catch (err) {
      setConfirming(false);
      if (err instanceof DeskError && err.code === 'CONFLICT' && err.details?.['conflict'] === 'duplicate') {
        setProblem({ kind: 'duplicate', message: err.message, owners: (err.details?.['duplicates'] as EmailOwner[] | undefined) ?? [] });
      } else if (err instanceof DeskError && err.code === 'CONFLICT' && err.details?.['conflict'] === 'stale') {
        setProblem({ kind: 'stale', message: err.message });
      } else if (err instanceof DeskError && err.code === 'VALIDATION') {
        reportFormError(form, err, (path) => (path === 'reEmailFactorTo' ? 'reRegister' : path === 'confirmDuplicate' ? 'confirmed' : path), 'The emails were not saved');
      } else {
        setProblem({ kind: 'error', message: err instanceof Error ? err.message : 'The emails were not saved. Try again.' });
      }
    }
  }

  // The form opens with the focus on its first field.
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    formRef.current?.querySelector<HTMLElement>('input, button')?.focus();
  }, []);

  const missingKinds = (['work', 'personal'] as const).filter((k) => !drafts.some((d) => d.kind === k));
  const busy = save.isPending;

  return (
    <form
      ref={formRef}
      className={classes.emailsForm}
      aria-label="Change emails on record"
      noValidate
      onSubmit={form.onSubmit(
        () => setConfirming(true),
        () => {
          // The first field with a problem takes the focus.
          requestAnimationFrame(() => document.querySelector<HTMLElement>(`.${classes.emailsForm} [aria-invalid="true"]`)?.focus());
        },
      )}
      onKeyDown={(ev) => {
        // Escape leaves the form (not the employee page) while it is open.
        if (ev.key === 'Escape' && !busy && !confirming) {
          ev.preventDefault();
          onCancel();
        }
      }}
    >
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          Changing record version {version}. Correct or remove an address, add one, and choose where one-time codes go. A confirmation goes to
          every address, including any you remove or correct; a new address gets no code until it is used for codes.
        </Text>
        {drafts.length === 0 ? <Text size="sm">No addresses: saving leaves the record without an email.</Text> : null}
        {drafts.map((d, i) => {
          const label = labelOf(d, drafts);
          return (
            <Group key={d.key} align="flex-start" gap="xs" wrap="nowrap">
              <TextInput
                className={classes.grow}
                label={label}
                inputMode="email"
                autoComplete="off"
                spellCheck={false}
                maxLength={254}
                disabled={busy}
                {...form.getInputProps(`emails.${i}.address`)}
              />
              <Button
                mt={26}
                size="xs"
                variant="subtle"
                color="red"
                leftSection={<IconTrash size={14} aria-hidden="true" />}
                aria-label={`Remove ${label.toLowerCase()}`}
                onClick={() => remove(i)}
                disabled={busy}
                style={{ flex: 'none' }}
              >
                Remove
              </Button>
            </Group>
          );
        })}
        {missingKinds.length > 0 && drafts.length < MAX_ADDRESSES ? (
          <Group gap="xs">
            {missingKinds.map((k) => (
              <Button
                key={k}
                size="xs"
                variant="default"
                leftSection={<IconPlus size={14} aria-hidden="true" />}
                onClick={() => form.insertListItem('emails', { key: newKey(), id: null, kind: k, address: '' })}
                disabled={busy}
              >
                Add a {k} address
              </Button>
            ))}
          </Group>
        ) : null}

        {drafts.length > 0 ? (
          <Radio.Group
            label="One-time codes go to"
            description={values.reRegister ? 'Codes go to the address the email method is re-registered to.' : undefined}
            value={codesKey}
            onChange={(v) => form.setFieldValue('codes', v)}
            name={ids.codes}
          >
            <Stack gap={6} mt={6}>
              {drafts.map((d) => (
                <Radio
                  key={d.key}
                  value={d.key}
                  disabled={busy || values.reRegister !== ''}
                  label={d.address.trim() ? <Address address={d.address.trim()} /> : `(new ${d.kind} address)`}
                />
              ))}
              <Radio value="" disabled={busy || values.reRegister !== ''} label="No address" />
            </Stack>
          </Radio.Group>
        ) : null}

        {method !== null && !needsReRegister ? (
          <Checkbox
            label="Re-register the email method (one-time codes) to another address"
            checked={values.offerReRegister}
            disabled={busy}
            onChange={(ev) => {
              form.setFieldValue('offerReRegister', ev.currentTarget.checked);
              if (!ev.currentTarget.checked) form.setFieldValue('reRegister', '');
            }}
          />
        ) : null}
        {showReRegister ? (
          <ReRegisterChoice form={form} forcedFrom={needsReRegister ? methodEmail!.address : null} choices={reRegisterChoices} busy={busy} ids={ids} />
        ) : null}

        <TextInput
          label="Webchat ticket reference"
          description="The change is recorded in the audit trail against this ticket."
          maxLength={64}
          autoComplete="off"
          spellCheck={false}
          w={320}
          maw="100%"
          disabled={busy}
          {...form.getInputProps('ticketRef')}
        />

        {problem?.kind === 'duplicate' || values.confirmed ? (
          <Fieldset legend="Also on another employee’s record" className={classes.fieldset}>
            {problem?.kind === 'duplicate' ? (
              <List size="sm" mb="xs">
                {problem.owners.map((o) => (
                  <List.Item key={`${o.address}-${o.employeeId}`}>
                    <Address address={o.address} />: employee {o.employeeNumber} ({o.name})
                  </List.Item>
                ))}
              </List>
            ) : null}
            <Stack gap="xs">
              <Checkbox label="I checked: the address is right for this employee too" disabled={busy} {...form.getInputProps('confirmed', { type: 'checkbox' })} />
              <Textarea label="Reason for going ahead" maxLength={1000} disabled={busy} {...form.getInputProps('reason')} />
            </Stack>
          </Fieldset>
        ) : null}

        {problem ? (
          <Alert color={problem.kind === 'duplicate' ? 'yellow' : 'red'} role="alert" icon={<IconAlertTriangle size={18} aria-hidden="true" />}>
            <Text size="sm">{problem.message}</Text>
            {problem.kind === 'stale' ? (
              <Button mt="xs" size="xs" variant="default" leftSection={<IconRefresh size={14} aria-hidden="true" />} onClick={() => void onReload()}>
                Reload the record
              </Button>
            ) : null}
            {problem.kind === 'duplicate' ? (
              <Text size="sm" mt={4}>
                Change the address, or confirm below that it is right for this employee too and say why.
              </Text>
            ) : null}
          </Alert>
        ) : null}

        <Group gap="xs">
          <Button type="submit" loading={busy}>
            Save changes
          </Button>
          <Button variant="default" onClick={onCancel} disabled={busy}>
            Cancel
          </Button>
        </Group>
      </Stack>

      <SaveEmailsDialog
        opened={confirming}
        busy={busy}
        version={version}
        name={`${e.firstName} ${e.lastName}`}
        drafts={drafts}
        ticketRef={values.ticketRef.trim()}
        recipients={recipients}
        reRegisterTo={values.reRegister ? addressOf(values.reRegister) : null}
        confirmed={values.confirmed}
        onCancel={() => setConfirming(false)}
        onSave={() => void send()}
      />
    </form>
  );
}
