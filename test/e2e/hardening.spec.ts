import { test, expect } from './fixtures';

test('the page runs only its own scripts: an injected inline script and inline handler are blocked, and no Node reaches it', async ({ page, desk }) => {
  const response = await page.goto(desk.url);
  expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
  await expect(page.getByRole('heading', { level: 1, name: 'Create the first admin' })).toBeVisible();

  const outcome = await page.evaluate(async () => {
    // The DOM, typed just enough (these specs compile with Node's types).
    interface El {
      textContent: string | null;
      innerHTML: string;
      appendChild(child: El): void;
    }
    interface Doc {
      body: El;
      createElement(tag: string): El;
      addEventListener(type: string, fn: (e: { effectiveDirective: string }) => void, opts: { once: boolean }): void;
    }
    const w = globalThis as unknown as Record<string, unknown>;
    const doc = w['document'] as Doc;
    const violation = new Promise<string>((resolve) => {
      doc.addEventListener('securitypolicyviolation', (e) => resolve(e.effectiveDirective), { once: true });
      setTimeout(() => resolve('no violation reported'), 3_000);
    });
    // What an attacker who got markup into the page would try.
    const script = doc.createElement('script');
    script.textContent = 'window.__injected = true;';
    doc.body.appendChild(script);
    const holder = doc.createElement('div');
    holder.innerHTML = '<img src="x" onerror="window.__onerror = true">';
    doc.body.appendChild(holder);
    const directive = await violation;
    await new Promise((r) => setTimeout(r, 200));
    return {
      injected: w['__injected'] === true,
      onerror: w['__onerror'] === true,
      directive,
      node: [typeof w['require'], typeof w['process'], typeof w['module'], typeof w['Buffer'], typeof w['ipcRenderer']],
    };
  });
  expect(outcome).toEqual({
    injected: false,
    onerror: false,
    directive: expect.stringMatching(/^script-src/),
    node: ['undefined', 'undefined', 'undefined', 'undefined', 'undefined'],
  });
});

test('every response of the browser host carries the security headers, also a refusal', async ({ page, desk }) => {
  const origin = new URL(desk.url).origin;
  await page.goto(desk.url);
  const responses = [
    await page.request.get(desk.url),
    await page.request.get(`${origin}/no/such/file.js`),
    await page.request.post(`${origin}/api/invoke/app.status`, { data: {}, headers: { cookie: '' } }),
    await page.request.fetch(`${origin}/api/invoke/app.status`, { method: 'POST', data: {}, headers: { origin: 'https://evil.example' } }),
  ];
  for (const r of responses) {
    const h = r.headers();
    expect(h['x-content-type-options'], r.url()).toBe('nosniff');
    expect(h['referrer-policy'], r.url()).toBe('no-referrer');
    expect(h['content-security-policy'], r.url()).toContain("frame-ancestors 'none'");
  }
  // The cross-site request is refused, and a request without the token too.
  expect(responses[3]!.status()).toBe(403);
});
