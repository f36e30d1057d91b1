// Substring search that means what the user typed: LIKE wildcards in the input are literal.
import { sql, type Expression, type SqlBool } from 'kysely';

export function containsText(column: string, text: string): Expression<SqlBool> {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
  // SQLite's LIKE has no escape character unless one is named; PostgreSQL's default is backslash.
  return sql<SqlBool>`${sql.ref(column)} LIKE ${pattern} ESCAPE '\\'`;
}
