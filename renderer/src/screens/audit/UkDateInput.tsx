/**
 * A day typed or picked as DD/MM/YYYY (UK), whose value is the contract's 'YYYY-MM-DD'. The
 * calendar opens on a click or ArrowDown, not when the field takes the focus: tabbing through a
 * form (or being focused because the field is invalid) leaves the field's message in view.
 */
import { useState } from 'react';
import { DateInput, type DateInputProps } from '@mantine/dates';
import { UK_DATE_FORMAT, parseUkDay } from './dates';

export function UkDateInput({ popoverProps, onChange, onClick, onKeyDown, onBlur, ...props }: Omit<DateInputProps, 'valueFormat' | 'dateParser'>) {
  const [open, setOpen] = useState(false);
  return (
    <DateInput
      {...props}
      valueFormat={UK_DATE_FORMAT}
      dateParser={parseUkDay}
      placeholder="DD/MM/YYYY"
      onChange={(value) => {
        onChange?.(value);
        setOpen(false);
      }}
      onClick={(e) => {
        onClick?.(e);
        setOpen(true);
      }}
      onKeyDown={(e) => {
        onKeyDown?.(e);
        if (e.key === 'ArrowDown') setOpen(true);
        else if (e.key === 'Escape' || e.key === 'Enter' || e.key === 'Tab') setOpen(false);
      }}
      onBlur={(e) => {
        onBlur?.(e);
        setOpen(false);
      }}
      popoverProps={{ withinPortal: true, ...popoverProps, opened: open, onDismiss: () => setOpen(false) }}
    />
  );
}
