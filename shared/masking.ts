/** How an address is shown where the caller might see the screen or a message: j•••@nhs.net. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return '•••';
  return `${address[0]}•••@${address.slice(at + 1)}`;
}
