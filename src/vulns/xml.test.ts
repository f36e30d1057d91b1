import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { decodeEntities, parseXml } from './xml.ts';

test('elements, attributes, text, CDATA, comments and the XML declaration', () => {
  const src = '\ufeff<?xml version="1.0" encoding="UTF-8"?>\n<!-- c --><a x="1" y=\'&amp;\'><b>t &lt;1&gt; &#x4E2D;&#25991;</b><c/><![CDATA[<raw>]]></a>';
  const r = parseXml(src);
  assert.ok(r.ok);
  assert.equal(r.root.name, 'a');
  assert.deepEqual(r.root.attributes, { x: '1', y: '&' });
  assert.deepEqual(r.root.children.map((c) => c.name), ['b', 'c']);
  assert.equal(r.root.children[0].text, 't <1> 中文');
  assert.equal(r.root.text, '<raw>');
  assert.equal(src.slice(r.root.children[0].start, r.root.children[0].end), '<b>t &lt;1&gt; &#x4E2D;&#25991;</b>');
});

test('refuses DOCTYPE (no entity expansion), unknown entities, mismatched and unclosed tags, text outside the root', () => {
  for (const bad of ['<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', '<a>&x;</a>', '<a>&#0;</a>', '<a>&#xD800;</a>', '<a></b>', '<a>', '</a>', 'x<a/>', '<a/><b/>', '<a', '<a b=1/>', '<!-- x', '<a><![CDATA[x</a>', '']) {
    const r = parseXml(bad);
    assert.equal(r.ok, false, bad);
  }
  assert.equal(decodeEntities('a & b'), null);
});

test('limits: depth, element count and length are bounded', () => {
  assert.equal(parseXml('<a>'.repeat(20) + '</a>'.repeat(20)).ok, false);
  assert.equal(parseXml(`<r>${'<e/>'.repeat(50)}</r>`, { maxChars: 1e6, maxDepth: 4, maxElements: 10 }).ok, false);
  assert.equal(parseXml('<a/>', { maxChars: 3, maxDepth: 4, maxElements: 10 }).ok, false);
});

test('never throws on random or cut input', () => {
  const base = '<vulnerabilitys><vulnerability><number>CNVD-2020-1</number><products><product>A &lt;1</product></products></vulnerability></vulnerabilitys>';
  for (let i = 0; i < base.length; i++) parseXml(base.slice(0, i));
  for (let i = 0; i < 300; i++) parseXml(randomBytes(64).toString('latin1'));
  for (let i = 0; i < 300; i++) parseXml('<a>' + randomBytes(32).toString('utf8') + '</a>');
});
