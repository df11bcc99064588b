export const PRODUCT_NAME = 'MFA Desk';
// Kept in step with package.json by a unit test.
export const VERSION = '0.1.0';
