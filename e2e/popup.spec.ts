import { introspectionResponse, tokenResponse } from '#shared/oauth.js';
import { GMAIL, READ, SEND, expect, pairThroughOptions, pollToken, test, tokenOnceDecided } from './fixtures.js';

test('first run opens the options page; pairing there connects the popup', async ({ popup, daemon, options }) => {
  await pairThroughOptions(options, daemon);
  await expect(options.getByText('Connected to', { exact: false })).toBeVisible();
  await options.screenshot({ path: 'test-results/screenshots/options.png', fullPage: true });
  const page = await popup();
  await expect(page.getByRole('status').first()).toHaveText('Connected');
  await expect(page.getByText('No agent holds a delegation from Mandate right now.')).toBeVisible();
});

test('a CIBA request shows in plain words; approving one of two scopes for 15 min gives a token with only that scope', async ({
  popup,
  daemon,
  worker,
  options,
}, testInfo) => {
  await pairThroughOptions(options, daemon);
  const agent = await daemon.registerAgent('Mail helper');
  const authReqId = await daemon.request(agent);

  // the badge counts it and a system notification announces it, before the popup is even opened
  await expect.poll(() => worker.evaluate(() => chrome.action.getBadgeText({}))).toBe('1');
  const notes = await worker.evaluate(() => chrome.notifications.getAll());
  expect(Object.keys(notes)).toEqual([expect.stringMatching(/^request:grt_/)]);
  const page = await popup();
  const card = page.getByRole('listitem').filter({ hasText: 'Mail helper' });
  await expect(card).toBeVisible();
  await expect(card.getByText('“Summarise my unread mail and draft replies”')).toBeVisible();
  await expect(card.getByText('gmail.googleapis.com')).toBeVisible();
  await expect(card.getByText(/read .*email/i).first()).toBeVisible();
  await expect(card.getByText(/send .*email/i).first()).toBeVisible();
  await expect(card.getByText('Write', { exact: true }).first()).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('popup-pending.png') });
  await page.screenshot({ path: 'test-results/screenshots/popup-pending.png' });

  await card.getByLabel(SEND).uncheck();
  await card.getByLabel('Duration').selectOption({ label: '15 minutes' });
  await card.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Approved for Mail helper' })).toContainText('(15 minutes): read all your email');

  const res = await tokenOnceDecided(daemon, agent, authReqId);
  expect(res.status).toBe(200);
  const token = tokenResponse.parse(await res.json());
  expect(token.scope).toBe(READ);
  const claims = introspectionResponse.parse(await (await daemon.form('/introspect', agent, { token: token.access_token })).json());
  expect(claims.active && claims.exp - claims.iat).toBe(300);
  const grant = (await (await daemon.admin('GET', '/grants')).json()) as { grants: { expires_at: number; decided_at: number }[] };
  expect(grant.grants[0]!.expires_at - grant.grants[0]!.decided_at).toBe(900);

  await expect.poll(() => worker.evaluate(() => chrome.action.getBadgeText({}))).toBe('');
  const active = page.getByRole('listitem').filter({ hasText: 'Mail helper' });
  await expect(active.getByText(/^1[45]:\d\d$/)).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('popup-active.png') });
  await page.screenshot({ path: 'test-results/screenshots/popup-active.png' });
});

test('Revoke in the popup makes introspection inactive at once; Revoke all ends the rest', async ({ popup, daemon, options }) => {
  await pairThroughOptions(options, daemon);
  const agents = [await daemon.registerAgent('Mail helper'), await daemon.registerAgent('Inbox zero bot'), await daemon.registerAgent('Calendar sync')];
  const tokens: string[] = [];
  for (const a of agents) {
    const id = await daemon.request(a, { scope: READ });
    expect((await daemon.admin('POST', `/requests/${id}/approve`, {})).status).toBe(200);
    tokens.push(tokenResponse.parse(await (await pollToken(daemon, a, id)).json()).access_token);
  }
  const page = await popup();
  const first = page.getByRole('listitem').filter({ hasText: 'Mail helper' });
  await first.getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Revoked Mail helper' })).toBeVisible();
  expect(await (await daemon.form('/introspect', agents[0]!, { token: tokens[0]! })).json()).toEqual({ active: false });
  expect(await (await daemon.form('/introspect', agents[1]!, { token: tokens[1]! })).json()).toMatchObject({ active: true });

  await page.getByRole('button', { name: 'Revoke all' }).click();
  await page.getByRole('button', { name: 'Yes, revoke all 2' }).click();
  await expect(page.getByText('No agent holds a delegation from Mandate right now.')).toBeVisible();
  for (const [i, a] of agents.entries()) expect(await (await daemon.form('/introspect', a, { token: tokens[i]! })).json()).toEqual({ active: false });

  // the activity page shows the trail, filterable, with the chain verified
  const activity = await popup('src/activity/index.html');
  await activity.setViewportSize({ width: 1100, height: 700 });
  await expect(activity.getByText(/^Hash chain verified: \d+ rows intact$/)).toBeVisible();
  await expect(activity.getByRole('cell', { name: 'grant.revoked' }).first()).toBeVisible();
  await activity.getByLabel('Outcome').selectOption('refused');
  await activity.getByRole('button', { name: 'Apply' }).click();
  await expect(activity.getByText(/^\d+ events?$/)).toBeVisible();
  await activity.getByLabel('Outcome').selectOption('');
  await activity.getByRole('button', { name: 'Apply' }).click();
  await activity.screenshot({ path: 'test-results/screenshots/activity.png' });
});

test('a delegation used while the popup is open changes only its last-use line: a Revoke pressed meanwhile is not lost, an open history stays', async ({
  popup,
  daemon,
  options,
}) => {
  await pairThroughOptions(options, daemon);
  const mail = await daemon.registerAgent('Mail helper');
  const other = await daemon.registerAgent('Inbox zero bot');
  await daemon.api.call('requests.deny', { id: await daemon.request(other) });
  const approved = await daemon.request(mail, { scope: READ });
  await daemon.api.call('requests.approve', { id: approved }, {});

  const page = await popup();
  const card = page.getByRole('list', { name: 'Active delegations' }).getByRole('listitem').filter({ hasText: 'Mail helper' });
  await expect(card.getByText('not used yet')).toBeVisible();
  const history = page.locator('details.history');
  await history.getByText('History (1)').click();
  await expect(history.getByText('Inbox zero bot')).toBeVisible();

  // a new request rebuilds the lists; the history the person opened stays open
  await daemon.request(other, { binding_message: 'Archive the newsletters' });
  await expect(page.getByText('“Archive the newsletters”')).toBeVisible();
  await expect(history).toHaveJSProperty('open', true);

  // the person presses Revoke; before they let go, the agent takes its token and the popup reads its lists again
  await card.getByRole('button', { name: 'Revoke' }).hover();
  await page.mouse.down();
  const token = tokenResponse.parse(await (await pollToken(daemon, mail, approved)).json()).access_token;
  await expect(card.getByText('used just now')).toBeVisible();
  await page.mouse.up();
  await expect(page.getByRole('status').filter({ hasText: 'Revoked Mail helper' })).toBeVisible();
  expect(await (await daemon.form('/introspect', mail, { token })).json()).toEqual({ active: false });
  await expect(history).toHaveJSProperty('open', true);
});

test('an Approve pressed while another request arrives is not lost: the popup waits for the release to rebuild', async ({ popup, daemon, options }) => {
  await pairThroughOptions(options, daemon);
  const mail = await daemon.registerAgent('Mail helper');
  const other = await daemon.registerAgent('Inbox zero bot');
  const first = await daemon.request(mail, { scope: READ });
  const page = await popup();
  const card = page.getByRole('list', { name: 'Requests waiting for you' }).getByRole('listitem').filter({ hasText: 'Mail helper' });
  const statesHeard = () => page.evaluate(() => performance.getEntriesByName('mandate:state-received').length);
  await card.getByRole('button', { name: 'Approve' }).hover();
  await page.mouse.down();
  const heard = await statesHeard();
  await daemon.request(other, { binding_message: 'Archive the newsletters' });
  await expect.poll(statesHeard).toBeGreaterThan(heard); // the popup has the new lists while the button is held
  await page.mouse.up();
  await expect(page.getByRole('status').filter({ hasText: 'Approved for Mail helper' })).toBeVisible();
  await expect(page.getByText('“Archive the newsletters”')).toBeVisible();
  expect((await pollToken(daemon, mail, first)).status).toBe(200);
});

test('a Revoke all waiting for its confirmation keeps it while another request arrives', async ({ popup, daemon, options }) => {
  await pairThroughOptions(options, daemon);
  const agents = [await daemon.registerAgent('Mail helper'), await daemon.registerAgent('Calendar sync')];
  for (const a of agents) await daemon.api.call('requests.approve', { id: await daemon.request(a, { scope: READ }) }, {});
  const page = await popup();
  await page.getByRole('button', { name: 'Revoke all' }).click();
  await expect(page.getByRole('group', { name: 'Confirm revoke all' })).toContainText('End 2 delegations now?');
  await daemon.request(agents[0]!, { binding_message: 'Archive the newsletters' });
  await expect(page.getByText('“Archive the newsletters”')).toBeVisible();
  await page.getByRole('button', { name: 'Yes, revoke all 2' }).click();
  await expect(page.getByText('No agent holds a delegation from Mandate right now.')).toBeVisible();
  expect((await daemon.api.call('grants.list')).grants).toHaveLength(0);
});

test('when the daemon stops the popup says so and allows no approval; when it returns the popup recovers by itself', async ({ popup, daemon, options }) => {
  await pairThroughOptions(options, daemon);
  const agent = await daemon.registerAgent('Mail helper');
  await daemon.request(agent);
  const page = await popup();
  await expect(page.getByRole('button', { name: 'Approve' })).toBeVisible();

  await daemon.stop();
  await expect(page.getByRole('alert')).toContainText('The Mandate daemon is not running', { timeout: 15_000 });
  await expect(page.getByRole('alert')).toContainText('npm start');
  await expect(page.getByRole('button', { name: 'Approve' })).toHaveCount(0);

  await daemon.restart();
  await expect(page.getByRole('button', { name: 'Approve' })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole('status').first()).toHaveText('Connected');
});

test('an agent named like markup is shown literally', async ({ popup, daemon, options }) => {
  await pairThroughOptions(options, daemon);
  const name = '<img src=x onerror=alert(1)>';
  const agent = await daemon.registerAgent(name);
  await daemon.request(agent, { binding_message: '<b>bold</b> & <script>alert(2)</script>' });
  const page = await popup();
  let dialogs = 0;
  page.on('dialog', () => void dialogs++);
  const card = page.getByRole('listitem').filter({ hasText: name });
  await expect(card.getByText(name, { exact: true })).toBeVisible();
  await expect(card.getByText('“<b>bold</b> & <script>alert(2)</script>”')).toBeVisible();
  expect(await page.locator('main img, main b, main script').count()).toBe(0);
  expect(dialogs).toBe(0);
});

test('unknown scopes are flagged; a wrong pairing code is refused with a clear message', async ({ popup, daemon, options }) => {
  await options.getByLabel('Daemon URL').fill(daemon.daemon.url);
  await options.getByLabel('Pairing code').fill('AAAA-AAAA');
  await options.getByRole('button', { name: 'Pair' }).click();
  await expect(options.getByRole('status').filter({ hasText: 'Pairing failed' })).toContainText('pairing code is wrong');

  await pairThroughOptions(options, daemon);
  const agent = await daemon.registerAgent('Odd agent', ['x-custom:launch']);
  await daemon.request(agent, { scope: 'x-custom:launch', resource: GMAIL });
  const page = await popup();
  const card = page.getByRole('listitem').filter({ hasText: 'Odd agent' });
  await expect(card.getByText('Unknown', { exact: true }).first()).toBeVisible();
  await expect(card.getByText('x-custom:launch')).toBeVisible();
});

test('with 60 delegations the popup builds the first screenful, the rest as the person scrolls; Revoke all ends all 60', async ({ popup, daemon, options }) => {
  await pairThroughOptions(options, daemon);
  const agent = await daemon.registerAgent('Busy helper');
  for (let i = 0; i < 60; i++) await daemon.api.call('requests.approve', { id: await daemon.request(agent, { binding_message: `Task ${i}` }) }, {});
  const page = await popup();
  const active = page.getByRole('list', { name: 'Active delegations' });
  await expect(page.locator('section[aria-label="Active"] .count')).toHaveText('60');
  const cards = active.locator(':scope > li.card');
  await expect(cards.first()).toBeVisible();
  expect(await cards.count()).toBeLessThan(60);
  // scrolling to the end builds the rest
  await expect(async () => {
    await cards.last().scrollIntoViewIfNeeded();
    expect(await active.getByRole('button', { name: 'Revoke', exact: true }).count()).toBe(60);
  }).toPass();
  await page.getByRole('button', { name: 'Revoke all' }).click();
  await page.getByRole('button', { name: 'Yes, revoke all 60' }).click();
  await expect(page.getByText('No agent holds a delegation from Mandate right now.')).toBeVisible();
  expect((await daemon.api.call('grants.list')).grants).toHaveLength(0);
});
