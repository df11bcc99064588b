/** Form fields the screens share, where a Mantine input needs a little more. */
import type { Ref } from 'react';
import { PasswordInput, type PasswordInputProps } from '@mantine/core';

/** The visibility toggle of a password box: its name must not contain "password" (the field's label does). */
const SHOW_TYPED = { 'aria-label': 'Show what you typed' } as const;

/**
 * Mantine's PasswordInput with what it leaves out: the input is marked invalid (aria-invalid) when
 * the field has an error, and its show-what-you-typed toggle is not named like the field.
 */
export function PasswordField(props: PasswordInputProps & { ref?: Ref<HTMLInputElement> }) {
  return <PasswordInput visibilityToggleButtonProps={SHOW_TYPED} aria-invalid={props.error ? true : undefined} {...props} />;
}
