import { test, expect, addUser, invokeFromPage, signIn, PASSWORD } from './fixtures';

test('a call the role may not make is refused with FORBIDDEN', async ({ page, desk }) => {
  await addUser(desk, { username: 'root.admin', displayName: 'Root Admin', role: 'admin', password: PASSWORD });
  const agent = await addUser(desk, { username: 'fay.agent', displayName: 'Fay Agent', role: 'agent', password: PASSWORD });
  await page.goto(desk.url);

  // Before sign-in, signed-in channels are refused.
  const anonymous = await invokeFromPage(page, 'employees.search', { query: 'smith' });
  expect(anonymous.status).toBe(401);
  expect(anonymous.body).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });

  await signIn(page, agent);
  const refused = await invokeFromPage(page, 'demo.load', { employees: 10 });
  expect(refused.status).toBe(403);
  expect(refused.body).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

  // Nothing was loaded.
  const status = await invokeFromPage(page, 'app.status', {});
  expect(status.body).toMatchObject({ ok: true, value: { hasEmployees: false, session: { role: 'agent' } } });

  // A screen the role does not reach is not there at its address either (the Audit screen here),
  // and its calls are refused.
  await page.goto(page.url().replace(/#.*$/, '#/audit/integrity'));
  await expect(page.getByRole('heading', { level: 1, name: 'There is nothing at this address' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Verify audit trail' })).toHaveCount(0);
  const audit = await invokeFromPage(page, 'audit.report', {});
  expect(audit.status).toBe(403);
  expect(audit.body).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

  // Input is validated in the main process too.
  const invalid = await invokeFromPage(page, 'employees.get', { employeeId: 'one' });
  expect(invalid.body).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
});
