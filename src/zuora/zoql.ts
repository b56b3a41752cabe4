// Building ZOQL text safely. ZOQL has no `in`, allows at most 200 where-conditions, and escapes with backslashes.
import { ZOQL_MAX_CONDITIONS } from './schemas';

/** Conditions per query for look-ups by value list; below the 200 maximum to leave room for other conditions. */
export const ZOQL_CONDITIONS_PER_QUERY = 190;

/** A ZOQL string literal: backslash and single quote escaped with a backslash. */
export function zoqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * `field = 'a' or field = 'b' …`, one where-clause per chunk of at most `perQuery` distinct values
 * (ZOQL's substitute for `in`).
 */
export function equalsAnyClauses(
  field: string,
  values: readonly string[],
  perQuery = ZOQL_CONDITIONS_PER_QUERY,
): string[] {
  if (perQuery < 1 || perQuery > ZOQL_MAX_CONDITIONS)
    throw new RangeError(`perQuery must be 1..${ZOQL_MAX_CONDITIONS}`);
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(field)) throw new RangeError(`Not a ZOQL field name: ${field}`);
  const distinct = [...new Set(values)];
  const clauses: string[] = [];
  for (let i = 0; i < distinct.length; i += perQuery) {
    clauses.push(
      distinct
        .slice(i, i + perQuery)
        .map((v) => `${field} = ${zoqlString(v)}`)
        .join(' or '),
    );
  }
  return clauses;
}

/**
 * true when a ZOQL query's conditions mix `and` with `or`. SQL binds `and` first, but Zuora's ZOQL page does not
 * say how its action query groups them nor that it honours parentheses (docs/zuora.md §2), so a mixed where-clause is
 * a bet on undocumented behaviour. Our queries are pure `and` or pure `or`; anything else is split into separate
 * queries whose results are unioned by Id. String literals are ignored (a value may contain " or ").
 */
export function mixesAndWithOr(zoql: string): boolean {
  const outsideLiterals = zoql.replace(/'(?:\\.|[^'\\])*'/g, "''").toLowerCase();
  return /\band\b/.test(outsideLiterals) && /\bor\b/.test(outsideLiterals);
}
