// The capture corpus is third-party data redistributed with its attribution (issue 3, deliverable
// 4: "copied into the repo with its attribution"). Every capture must keep its MANIFEST.tsv row
// (source repository, commit, path, licence) with the checksum of the bytes we ship, its oracle,
// its source repository's row in the corpus README's licence table and that repository's licence
// text in licenses/; reference/README.md must point at them.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { CORPUS_PCAPS, corpusCaptures } from '../src/protocols/all-fixtures.ts';

const ROOT = 'reference/corpus';
const COLUMNS = ['folder', 'file', 'repo', 'commit', 'path', 'sha256', 'size_bytes', 'license', 'decode_as'];

const [header, ...rows] = readFileSync(join(ROOT, 'MANIFEST.tsv'), 'utf8').trimEnd().split('\n').map((l) => l.split('\t'));
const manifest = new Map(rows.map((r) => [`${r[0]}/${r[1]}`, Object.fromEntries(COLUMNS.map((c, i) => [c, r[i] ?? '']))]));
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const sources = readme.slice(readme.indexOf('## Sources and licenses'));

test('MANIFEST.tsv has its columns and one row per capture, nothing else', () => {
  assert.deepEqual(header, COLUMNS);
  const files = corpusCaptures().map((p) => relative(CORPUS_PCAPS, p));
  assert.equal(files.length, 40);
  assert.deepEqual([...manifest.keys()].sort(), [...files].sort());
});

test('every capture keeps its source, commit, licence and checksum, its oracle and its licence row', () => {
  for (const path of corpusCaptures()) {
    const file = relative(CORPUS_PCAPS, path);
    const m = manifest.get(file)!;
    const bytes = readFileSync(path);
    assert.equal(createHash('sha256').update(bytes).digest('hex'), m.sha256, `${file}: sha256`);
    assert.equal(String(bytes.length), m.size_bytes, `${file}: size`);
    assert.match(m.repo, /^[\w.-]+\/[\w.-]+$/, `${file}: repo`);
    assert.match(m.commit, /^[0-9a-f]{40}$/, `${file}: commit`);
    assert.ok(m.path && m.license, `${file}: upstream path and licence`);
    // The README's table names the repository with its commit, and its per-file table the licence.
    const row = sources.split('\n').find((l) => l.startsWith(`| ${m.repo} |`));
    assert.ok(row?.includes(m.commit), `${file}: ${m.repo} at ${m.commit} in the README's "Sources and licenses"`);
    assert.ok(readme.includes(`| ${file} |`) && readme.split('\n').find((l) => l.startsWith(`| ${file} |`))!.includes(`| ${m.license} |`), `${file}: README row with ${m.license}`);
    const oracle = JSON.parse(readFileSync(join(ROOT, 'oracle', `${file}.json`), 'utf8')) as { sha256: string; source: { repo: string; license: string } };
    assert.equal(oracle.sha256, m.sha256, `${file}: oracle made from these bytes`);
    assert.equal(oracle.source.repo, m.repo, `${file}: oracle source`);
  }
  assert.ok(sources.includes('Keep this attribution table'), 'the README asks to keep the table');
});

test('every source repository ships its licence text, named in the licences README with its commit', () => {
  const index = readFileSync(join(ROOT, 'licenses', 'README.md'), 'utf8');
  for (const m of manifest.values()) {
    const dir = join(ROOT, 'licenses', m.repo);
    const texts = existsSync(dir) ? readdirSync(dir).filter((f) => /^(LICENSE|COPYING)/.test(f)) : [];
    assert.ok(texts.length > 0, `${m.file}: no licence text in ${dir}`);
    const row = index.split('\n').find((l) => l.startsWith(`| \`${m.repo}/\` |`));
    assert.ok(row?.includes(m.commit), `${m.repo} at ${m.commit} in licenses/README.md`);
  }
});

test('reference/README.md points at the corpus and its licences; the oracle tools are there', () => {
  const top = readFileSync('reference/README.md', 'utf8');
  assert.match(top, /\| `corpus\/pcap\/<protocol>\/\*` \|.*corpus\/README\.md.*MANIFEST\.tsv.*corpus\/licenses\//);
  for (const f of ['tools/make_oracle.py', 'tools/time_tshark.py', 'tshark_timing.json']) assert.ok(existsSync(join(ROOT, f)), f);
});
