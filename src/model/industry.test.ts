import { test } from 'node:test';
import assert from 'node:assert/strict';
import { industryName, industrySections, validateIndustryCode } from './industry.ts';

test('the reference data has the 20 sections and 97 divisions of GB/T 4754-2017', () => {
  const sections = industrySections();
  assert.equal(sections.length, 20);
  assert.equal(sections.map((s) => s.code).join(''), 'ABCDEFGHIJKLMNOPQRST');
  assert.equal(sections.flatMap((s) => s.divisions).length, 97);
  const c = sections.find((s) => s.code === 'C')!;
  assert.equal(c.divisions.length, 31);
  assert.equal(c.divisions[0].code, '13');
  assert.equal(c.divisions[30].code, '43');
});

test('every level, with and without the section letter', () => {
  assert.deepEqual(validateIndustryCode('C'), {
    ok: true,
    code: 'C',
    level: 'section',
    section: 'C',
    sectionName: '制造业',
    division: null,
    name: '制造业',
  });
  const expectC38 = { ok: true, section: 'C', sectionName: '制造业', division: '38', name: '电气机械和器材制造业' };
  assert.deepEqual(validateIndustryCode('38'), { ...expectC38, code: 'C38', level: 'division' });
  assert.deepEqual(validateIndustryCode('C38'), { ...expectC38, code: 'C38', level: 'division' });
  assert.deepEqual(validateIndustryCode('381'), { ...expectC38, code: 'C381', level: 'group' });
  assert.deepEqual(validateIndustryCode('C381'), { ...expectC38, code: 'C381', level: 'group' });
  assert.deepEqual(validateIndustryCode('3811'), { ...expectC38, code: 'C3811', level: 'class' });
  assert.deepEqual(validateIndustryCode('C3811'), { ...expectC38, code: 'C3811', level: 'class' });
  assert.deepEqual(validateIndustryCode('c3811'), { ...expectC38, code: 'C3811', level: 'class' });
  // 0190 其他农业: a class ending in 0 is a group without subdivisions.
  const agri = validateIndustryCode('0190');
  assert.ok(agri.ok);
  assert.equal(agri.code, 'A0190');
  assert.equal(agri.name, '农业');
  const power = validateIndustryCode('D4411');
  assert.ok(power.ok);
  assert.equal(power.name, '电力、热力生产和供应业');
  assert.equal(validateIndustryCode('T97').ok, true);
  assert.equal(validateIndustryCode('O').ok, true);
});

test('invalid codes are refused with a reason', () => {
  const cases: Array<[unknown, RegExp]> = [
    ['', /not a GB\/T 4754-2017 code/],
    ['U', /not a GB\/T 4754-2017 code/], // sections end at T
    ['Z38', /not a GB\/T 4754-2017 code/],
    ['00', /no division 00/],
    ['98', /no division 98/],
    ['B38', /belongs to section C, not B/],
    ['A3811', /belongs to section C, not A/],
    ['3', /not a GB\/T 4754-2017 code/],
    ['380', /not a GB\/T 4754-2017 code/], // a group digit is 1–9
    ['3801', /not a GB\/T 4754-2017 code/],
    ['38111', /not a GB\/T 4754-2017 code/],
    ['CC38', /not a GB\/T 4754-2017 code/],
    ['38C', /not a GB\/T 4754-2017 code/],
    [' C38', /not a GB\/T 4754-2017 code/],
    ['C 38', /not a GB\/T 4754-2017 code/],
    ['C-38', /not a GB\/T 4754-2017 code/],
    ['３８', /not a GB\/T 4754-2017 code/],
    [null, /not a string/],
    [38, /not a string/],
  ];
  for (const [input, reason] of cases) {
    const r = validateIndustryCode(input as string);
    assert.equal(r.ok, false, String(input));
    if (!r.ok) assert.match(r.reason, reason, String(input));
  }
});

test('industryName', () => {
  assert.equal(industryName('C'), '制造业');
  assert.equal(industryName('C3811'), '电气机械和器材制造业');
  assert.equal(industryName('45'), '燃气生产和供应业');
  assert.equal(industryName('99'), null);
});
