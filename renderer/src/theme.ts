/**
 * The desk's look in one place: Mantine's theme (colours, type, density) and the CSS variables that
 * Mantine's own defaults would leave below WCAG AA. Every screen takes its colours from here.
 *
 * Contrast (checked with the WCAG formula, and by axe in the e2e specs):
 *  - filled controls use shade 7 with white text: blue 6.4:1, green 5.6:1, red 6.4:1, yellow 4.9:1;
 *  - "light" badges and alerts use shade 9 on shade 1: at least 7.6:1;
 *  - secondary ("dimmed") text is gray 6, 5.8:1 on white; error text is red 8, 8.2:1.
 */
import { createTheme, defaultCssVariablesResolver, type CSSVariablesResolver, type MantineColorsTuple } from '@mantine/core';

/** NHS blue (#005eb8) is shade 7, the one filled buttons use. */
const blue: MantineColorsTuple = ['#e7f0fa', '#cfe1f5', '#a3c6eb', '#74a8e0', '#4b8dd6', '#2c7bcf', '#1369c2', '#005eb8', '#004c96', '#003a73'];
const green: MantineColorsTuple = ['#e9f7ec', '#d2efd9', '#a8dfb5', '#7acd8f', '#4fb96b', '#30a653', '#1d8a3f', '#13773a', '#0f622f', '#0b4d25'];
const red: MantineColorsTuple = ['#fdecec', '#fad5d5', '#f3aaaa', '#eb7d7d', '#e35858', '#dc3c3c', '#cf2a2a', '#b91f1f', '#9b1a1a', '#7a1414'];
const yellow: MantineColorsTuple = ['#fff8e1', '#ffefc2', '#ffdf85', '#ffcf4d', '#ffc12a', '#f5ad00', '#d48f00', '#9e6400', '#8a5600', '#6b4200'];
const gray: MantineColorsTuple = ['#f8f9fa', '#f1f3f5', '#e9ecef', '#dee2e6', '#ced4da', '#adb5bd', '#5f666d', '#495057', '#343a40', '#212529'];

/** The header's background: a dark navy, white text on it at 14.9:1. */
export const HEADER_BG = '#0b1f3a';
/** The header's height in pixels (one line at every width from 1024 px). */
export const HEADER_HEIGHT = 52;

export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: { light: 7, dark: 7 },
  colors: { blue, green, red, yellow, gray },
  autoContrast: true,
  luminanceThreshold: 0.35,
  fontFamily: '"Inter Variable", "Liberation Sans", Arial, sans-serif',
  fontFamilyMonospace: '"DejaVu Sans Mono", "Liberation Mono", Menlo, monospace',
  headings: {
    fontFamily: '"Inter Variable", "Liberation Sans", Arial, sans-serif',
    fontWeight: '650',
    sizes: {
      h1: { fontSize: '1.5rem', lineHeight: '1.25' },
      h2: { fontSize: '1.125rem', lineHeight: '1.3' },
      h3: { fontSize: '1rem', lineHeight: '1.35' },
      h4: { fontSize: '0.875rem', lineHeight: '1.4' },
    },
  },
  defaultRadius: 'sm',
  focusRing: 'auto',
  cursorType: 'pointer',
  respectReducedMotion: true,
  components: {
    Button: { defaultProps: { size: 'sm' } },
    TextInput: { defaultProps: { size: 'sm' } },
    Textarea: { defaultProps: { size: 'sm', autosize: true, minRows: 2, maxRows: 8 } },
    Select: { defaultProps: { size: 'sm', allowDeselect: false, comboboxProps: { withinPortal: true } } },
    NativeSelect: { defaultProps: { size: 'sm' } },
    Table: { defaultProps: { verticalSpacing: 6, horizontalSpacing: 'sm', fz: 'sm' } },
    Tooltip: { defaultProps: { multiline: true, maw: 320, withArrow: true, openDelay: 150, events: { hover: true, focus: true, touch: false } } },
    Badge: { defaultProps: { variant: 'light', radius: 'sm', tt: 'none' } },
    Paper: { defaultProps: { withBorder: true, radius: 'md', p: 'md' } },
    Modal: { defaultProps: { centered: true, radius: 'md', overlayProps: { backgroundOpacity: 0.45 } } },
    Notification: { defaultProps: { withBorder: true } },
  },
});

/** Mantine's defaults for secondary text, errors and placeholders are below AA on white: darker here. */
export const cssVariablesResolver: CSSVariablesResolver = (t) => {
  const base = defaultCssVariablesResolver(t);
  return {
    ...base,
    light: {
      ...base.light,
      '--mantine-color-dimmed': 'var(--mantine-color-gray-6)',
      '--mantine-color-error': 'var(--mantine-color-red-8)',
      '--mantine-color-placeholder': 'var(--mantine-color-gray-6)',
      '--mantine-color-body': 'var(--mantine-color-gray-0)',
    },
  };
};
