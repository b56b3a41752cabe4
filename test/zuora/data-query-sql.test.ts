// The emulator's Data Query evaluator against SQL's rules (ISO SQL / Trino, which Data Query runs on): expected
// values come from the standard's truth tables, not from the emulator.
import { parseDataQuery, runDataQuery, DataQuerySyntaxError } from '../../emulators/zuora/data-query';
import type { CreditMemoRecord } from '../../emulators/zuora/state';

const memo = (
  id: string,
  transferredToAccounting: CreditMemoRecord['transferredToAccounting'],
  reasonCode: string | null = 'R',
): CreditMemoRecord => ({
  id,
  number: `CM-${id}`,
  accountId: 'A',
  amount: 10,
  balance: 10,
  status: 'Posted',
  reasonCode,
  transferredToAccounting,
  excludeFromAutoApplyRules: false,
  memoDate: '2026-01-01',
  comment: null,
  createdDate: '2026-01-01 00:00:00',
  updatedDate: '2026-01-01 00:00:00',
  custom: {},
  lockedAttemptsRemaining: 0,
});

// One memo per value the field can hold, null included.
const MEMOS = [
  memo('y', 'Yes'),
  memo('n', 'No'),
  memo('p', 'Processing'),
  memo('e', 'Error'),
  memo('i', 'Ignore'),
  memo('z', null),
];
const ids = (where: string, memos = MEMOS) =>
  runDataQuery(parseDataQuery(`select id from creditmemo where ${where}`), memos, 1_000).map((r) => r.id);

describe('Data Query evaluator follows SQL three-valued logic', () => {
  it('a comparison with null is UNKNOWN: null matches neither = nor <> (nor !=)', () => {
    expect(ids("transferredtoaccounting = 'Yes'")).toEqual(['y']);
    expect(ids("transferredtoaccounting <> 'Yes'")).toEqual(['n', 'p', 'e', 'i']);
    expect(ids("transferredtoaccounting != 'Yes'")).toEqual(['n', 'p', 'e', 'i']);
    expect(ids('transferredtoaccounting = null')).toEqual([]); // = NULL is UNKNOWN even for a null column
  });

  it('is null / is not null are never UNKNOWN', () => {
    expect(ids('transferredtoaccounting is null')).toEqual(['z']);
    expect(ids('transferredtoaccounting is not null')).toEqual(['y', 'n', 'p', 'e', 'i']);
  });

  it('NOT of UNKNOWN is UNKNOWN: not (x = v) does not find nulls either', () => {
    expect(ids("not transferredtoaccounting = 'Yes'")).toEqual(['n', 'p', 'e', 'i']);
    expect(ids("not (transferredtoaccounting <> 'Yes')")).toEqual(['y']);
  });

  it('UNKNOWN or TRUE is TRUE; UNKNOWN or FALSE is UNKNOWN; UNKNOWN and FALSE is FALSE', () => {
    expect(ids("transferredtoaccounting is null or transferredtoaccounting <> 'Yes'")).toEqual([
      'n',
      'p',
      'e',
      'i',
      'z',
    ]);
    expect(ids("transferredtoaccounting <> 'Yes' or id = 'nope'")).toEqual(['n', 'p', 'e', 'i']);
    // (UNKNOWN and FALSE) is FALSE, so NOT of it is TRUE: the null memo is found.
    expect(ids("not (transferredtoaccounting = 'Yes' and id = 'nope')")).toEqual(['y', 'n', 'p', 'e', 'i', 'z']);
    // For the null memo (UNKNOWN and TRUE) is UNKNOWN, so NOT of it is UNKNOWN: only that memo is not found.
    expect(ids("not (transferredtoaccounting = 'Yes' and id = 'z')")).toEqual(['y', 'n', 'p', 'e', 'i']);
  });

  it('coalesce replaces null before the comparison', () => {
    expect(ids("coalesce(transferredtoaccounting, 'none') <> 'Yes'")).toEqual(['n', 'p', 'e', 'i', 'z']);
  });

  it('and binds tighter than or; not tighter than and; parentheses override', () => {
    // a or b and c  ==  a or (b and c)
    expect(ids("id = 'y' or id = 'n' and transferredtoaccounting = 'Yes'")).toEqual(['y']);
    expect(ids("(id = 'y' or id = 'n') and transferredtoaccounting = 'No'")).toEqual(['n']);
    // not a and b  ==  (not a) and b
    expect(ids("not id = 'y' and transferredtoaccounting is not null")).toEqual(['n', 'p', 'e', 'i']);
  });

  it('the fixed "what is left" query finds every value but Yes, null included, and only the reason code asked', () => {
    const memos = [...MEMOS, memo('other', 'No', 'Write-off'), memo('noreason', null, null)];
    const left = "reasoncode = 'R' and (transferredtoaccounting is null or transferredtoaccounting <> 'Yes')";
    expect(ids(left, memos)).toEqual(['n', 'p', 'e', 'i', 'z']);
  });

  it('count(*) group by puts every null in one group, and counts over no rows give 0', () => {
    const memos = [...MEMOS, memo('z2', null), memo('n2', 'No')];
    const q = parseDataQuery(
      "select transferredtoaccounting, count(*) as memos from creditmemo where reasoncode = 'R' group by transferredtoaccounting",
    );
    const rows = runDataQuery(q, memos, 1_000);
    expect(rows).toEqual(
      expect.arrayContaining([
        { transferredtoaccounting: 'Yes', memos: 1 },
        { transferredtoaccounting: 'No', memos: 2 },
        { transferredtoaccounting: 'Processing', memos: 1 },
        { transferredtoaccounting: 'Error', memos: 1 },
        { transferredtoaccounting: 'Ignore', memos: 1 },
        { transferredtoaccounting: null, memos: 2 },
      ]),
    );
    expect(rows).toHaveLength(6);
    expect(runDataQuery(parseDataQuery("select count(*) from creditmemo where id = 'nope'"), memos, 10)).toEqual([
      { _col0: 0 },
    ]);
    expect(
      runDataQuery(parseDataQuery("select count(*) from creditmemo where id = 'nope' group by status"), memos, 10),
    ).toEqual([]);
  });

  it.each([
    ['select id, count(*) from creditmemo', /must be an aggregate expression or appear in GROUP BY/],
    ['select id from creditmemo where transferredtoaccounting', /comparison operator/],
    ["select id from creditmemo where id = 'a' and", /Expected a column|end of the query/],
    ['select nope from creditmemo', /cannot be resolved/],
    ['select id from invoice', /not available/],
    ["select id from creditmemo where id = 'unterminated", /Unterminated/],
  ])('rejects %s', (sql, message) => {
    expect(() => runDataQuery(parseDataQuery(sql), MEMOS, 10)).toThrow(DataQuerySyntaxError);
    expect(() => runDataQuery(parseDataQuery(sql), MEMOS, 10)).toThrow(message);
  });
});
