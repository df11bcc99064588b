/** Adding a desk user: username, name and role; their temporary password is shown once, here. */
import { useState } from 'react';
import { Button, Group, NativeSelect, Paper, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconUserPlus } from '@tabler/icons-react';
import { DESK_ROLES, type DeskRole, type DeskUserWithTemporaryPassword } from '../../../../shared/domain';
import { SectionTitle } from '../../components/ui';
import { ROLE_LABELS } from '../../format';
import { notify } from '../../lib/feedback';
import { reportFormError, useSubmitOnce } from '../../lib/forms';
import { useChannelMutation } from '../../lib/query';
import { ROLE_DUTIES, articled } from './desk-roles';
import { TemporaryPassword } from './TemporaryPassword';
import classes from './admin.module.css';

export function AddDeskUser({ onAdded }: { onAdded: () => void }) {
  const [created, setCreated] = useState<DeskUserWithTemporaryPassword | null>(null);
  const create = useChannelMutation('desk.users.create');
  const form = useForm({
    initialValues: { username: '', displayName: '', role: 'agent' as DeskRole },
    validate: {
      username: (v) => (v.trim() ? null : 'Enter a username, such as nina.agent'),
      displayName: (v) => (v.trim() ? null : 'Enter their full name'),
    },
  });

  const submit = useSubmitOnce(
    form,
    async (values) => {
      const made = await create.mutateAsync({ username: values.username.trim(), displayName: values.displayName.trim(), role: values.role });
      setCreated(made);
      form.reset();
      notify.success(`${made.user.username} is added as ${articled(made.user.role)}.`);
      onAdded();
    },
    (err) => reportFormError(form, err, undefined, 'Could not add the desk user'),
    () => undefined,
  );

  return (
    <Paper component="section" aria-labelledby="add-desk-user">
      <SectionTitle id="add-desk-user">
        <Group gap={6} component="span" wrap="nowrap">
          <IconUserPlus size={18} aria-hidden="true" />
          Add a desk user
        </Group>
      </SectionTitle>
      <form onSubmit={submit} noValidate>
        <div className={classes.addGrid}>
          <TextInput
            label="Username"
            description="3–64 letters, digits, dots, dashes or underscores"
            autoCapitalize="none"
            autoComplete="off"
            spellCheck={false}
            {...form.getInputProps('username')}
          />
          <TextInput label="Full name" description="As colleagues know them" autoComplete="off" {...form.getInputProps('displayName')} />
          <NativeSelect
            label="Role"
            description={ROLE_DUTIES[form.values.role].split(':')[0]}
            data={DESK_ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))}
            {...form.getInputProps('role')}
          />
          <div className={classes.addButton}>
            <Button type="submit" loading={form.submitting} leftSection={<IconUserPlus size={16} aria-hidden="true" />}>
              Add desk user
            </Button>
          </div>
        </div>
        <Text size="xs" c="dimmed" mt={8}>
          They get a temporary password, shown here once, which they replace at their first sign-in.
        </Text>
      </form>
      {created ? (
        <div className={classes.afterForm}>
          <TemporaryPassword shown={created} onDone={() => setCreated(null)} />
        </div>
      ) : null}
    </Paper>
  );
}
