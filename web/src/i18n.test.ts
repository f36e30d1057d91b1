import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lang, t, tValue } from './i18n.ts';

// Node has no localStorage: the table must still load, in Chinese, the platform's first language.
test('Simplified Chinese is the default language', () => {
  assert.equal(lang(), 'zh');
  assert.equal(t('nav.overview'), '态势总览');
  assert.equal(t('login.username'), '用户名');
});

test('placeholders are filled, unknown ones are left visible', () => {
  assert.equal(t('page.of', { page: 2, pages: 7 }), '第 2 / 7 页');
  assert.equal(t('page.of', { page: 2 }), '第 2 / {pages} 页');
});

test('API values translate when known and pass through when not', () => {
  assert.equal(tValue('severity', 'critical'), '严重');
  assert.equal(tValue('state', 'remediating'), '整改中');
  assert.equal(tValue('role', 'city-analyst'), '市级分析员');
  assert.equal(tValue('severity', 'catastrophic'), 'catastrophic');
  assert.equal(tValue('error', 'BAD_CREDENTIALS'), '用户名或密码错误');
  assert.equal(tValue('error', 'SOMETHING_NEW'), 'SOMETHING_NEW');
});
