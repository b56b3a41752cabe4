// Every document the code and the README cite is in the repository (issue 13 point 6): no comment or README names a
// path outside it, every cited `*.md` file exists, every cited §N is a numbered section of that file, and every
// cited seed is a section of docs/seeds.md. Code files are checked in their comments only (read with TypeScript's
// parser), documents (markdown, YAML, Python, Dockerfile) in full.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(__dirname, '..', '..');
const SCANNED_DIRS = ['src', 'test', 'bench', 'scripts', 'emulators', 'docs', 'deploy'];
const SCANNED_FILES = ['README.md', 'Dockerfile', 'docker-compose.yml', 'eslint.config.mjs'];
const SKIPPED = new Set(['node_modules', 'dist', 'fixtures']);
const CODE = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);
const DOCUMENTS = new Set(['.md', '.yml', '.yaml', '.py', '.sh']);

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    if (SKIPPED.has(name)) return [];
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function scannedFiles(): string[] {
  return [
    ...SCANNED_DIRS.flatMap((d) => filesUnder(join(ROOT, d))),
    ...SCANNED_FILES.map((f) => join(ROOT, f)).filter((f) => existsSync(f)),
  ].filter((f) => CODE.has(extname(f)) || DOCUMENTS.has(extname(f)) || f.endsWith('Dockerfile'));
}

/** The comments of a code file, each with the offset where it starts. */
function commentsOf(path: string, text: string): { at: number; text: string }[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false);
  const seen = new Map<number, string>();
  const collect = (ranges: readonly ts.CommentRange[] | undefined) =>
    ranges?.forEach((r) => seen.set(r.pos, text.slice(r.pos, r.end)));
  const visit = (node: ts.Node): void => {
    collect(ts.getLeadingCommentRanges(text, node.getFullStart()));
    collect(ts.getTrailingCommentRanges(text, node.getEnd()));
    ts.forEachChild(node, visit);
  };
  visit(source);
  collect(ts.getLeadingCommentRanges(text, source.endOfFileToken.getFullStart()));
  return [...seen].map(([at, comment]) => ({ at, text: comment }));
}

/** The numbered sections (`## N. …`) of a markdown file, and its seed sections (`## Seed NNN`). */
function sectionsOf(path: string): { numbers: Set<string>; seeds: Set<string> } {
  const text = readFileSync(path, 'utf8');
  return {
    numbers: new Set([...text.matchAll(/^#{2,3} (\d+)\. /gm)].map((m) => m[1]!)),
    seeds: new Set([...text.matchAll(/^## Seed (\d{3})\b/gm)].map((m) => m[1]!)),
  };
}

const OUTSIDE_ABSOLUTE = /(?<![\w.:/@-])(?:\/work|\/home|\/Users|\/root|~)\/[^\s`'")\]]*/g;
const RELATIVE_PATH = /(?<![\w./-])(?:\.\.\/)+[\w.@-][^\s`'")\],;]*/g;
const MD_FILE = /(?<![\w/.@-])((?:[\w.-]+\/)*[\w.-]+\.md)\b(\)?)((?:\s*(?:,|and)?\s*§\d+)*)/g;
const SECTION_OF_NO_FILE = /\breference\s+§\d+/g;
const SEEDS = /\b[Ss]eeds?\s+(\d{3}(?:\s*(?:,|and|\/)\s*\d{3})*)\b/g;

/**
 * What is wrong with the citations in `text` (a comment, or a whole document) of the file at `path` (absolute, in
 * the repository). Each problem names the file, the line and the citation.
 */
export function citationProblems(path: string, text: string, firstLine = 1): string[] {
  const problems: string[] = [];
  const where = (index: number) =>
    `${relative(ROOT, path)}:${firstLine + (text.slice(0, index).match(/\n/g)?.length ?? 0)}`;
  for (const m of text.matchAll(OUTSIDE_ABSOLUTE)) {
    problems.push(`${where(m.index)}: names a path outside the repository: ${m[0]}`);
  }
  for (const m of text.matchAll(RELATIVE_PATH)) {
    const target = relative(ROOT, resolve(dirname(path), m[0]));
    if (target.startsWith('..') || isAbsolute(target)) {
      problems.push(`${where(m.index)}: names a path outside the repository: ${m[0]}`);
    }
  }
  for (const m of text.matchAll(MD_FILE)) {
    const cited = m[1]!;
    const file = [join(ROOT, cited), resolve(dirname(path), cited)].find((f) => existsSync(f));
    if (!file) {
      problems.push(`${where(m.index)}: cites ${cited}, which is not in the repository`);
      continue;
    }
    const { numbers } = sectionsOf(file);
    for (const section of (m[3] ?? '').matchAll(/§(\d+)/g)) {
      if (!numbers.has(section[1]!)) problems.push(`${where(m.index)}: cites ${cited} §${section[1]}: no such section`);
    }
  }
  for (const m of text.matchAll(SECTION_OF_NO_FILE)) {
    problems.push(`${where(m.index)}: cites ${m[0]} without naming the docs/ file`);
  }
  const { seeds } = sectionsOf(join(ROOT, 'docs', 'seeds.md'));
  for (const m of text.matchAll(SEEDS)) {
    for (const seed of m[1]!.match(/\d{3}/g)!) {
      if (!seeds.has(seed)) problems.push(`${where(m.index)}: cites seed ${seed}, which docs/seeds.md does not have`);
    }
  }
  return problems;
}

function problemsIn(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  const all = citationProblems(path, text);
  // A problem in a comment is a problem in the whole text too: parse only the files where the whole text has one.
  if (!CODE.has(extname(path)) || all.length === 0) return all;
  return commentsOf(path, text).flatMap((c) =>
    citationProblems(path, c.text, 1 + (text.slice(0, c.at).match(/\n/g)?.length ?? 0)),
  );
}

describe('the checker', () => {
  const file = join(ROOT, 'src', 'shared', 'example.ts');
  test.each([
    ['an absolute path outside the repository', '// see /work/elsewhere/PRODUCT.md', /outside the repository/],
    ['a relative path that leaves the repository', '// see ../../../elsewhere/notes.txt', /outside the repository/],
    ['a markdown file not in the repository', '// the operator contract (PRODUCT.md)', /not in the repository/],
    ['a reference by its old place', '// (reference/zuora.md §7)', /not in the repository/],
    ['a section the doc does not have', '// (docs/zuora.md §7, §99)', /docs\/zuora\.md §99: no such section/],
    ['a section without its file', '// (Data Query is SQL, reference §2)', /without naming the docs\/ file/],
    ['a seed docs/seeds.md does not have', '// seeds 000 and 003', /seed 003/],
  ])('reports %s', (_name, comment, problem) => {
    const problems = citationProblems(file, comment);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
  });

  test('accepts citations that resolve: docs files, their sections, seeds, URLs, paths inside the repository', () => {
    const comment = [
      '// docs/zuora.md §5, §6 and §7; docs/netsuite.md, "SuiteQL"; seed 002; seeds 000 and 001',
      '// https://docs.zuora.com/en/a/b.md and ../../README.md; RFC 9110 §10.2.3',
    ].join('\n');
    expect(citationProblems(file, comment)).toEqual([]);
  });

  test('reads comments, not code', () => {
    const code = "const path = '/work/elsewhere/PRODUCT.md'; // docs/product.md\n/* seed 001 */\n";
    expect(commentsOf('x.ts', code).map((c) => c.text)).toEqual(['// docs/product.md', '/* seed 001 */']);
  });
});

test('every citation in comments, the README and the docs resolves inside the repository', () => {
  const files = scannedFiles();
  expect(files.length).toBeGreaterThan(100);
  expect(files.flatMap(problemsIn)).toEqual([]);
});
