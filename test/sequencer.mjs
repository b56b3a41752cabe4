// Runs the longest test files first, so that the jest workers finish together instead of one working alone
// through a long file picked up last. Jest's own sequencer does this from its timing cache, but a cold run (CI) has
// none and falls back to file size, which puts short-coded long runs (the kill and chaos tests) at the end. Here a
// file without cached timing takes its figure from test/durations.json (seconds per file, from a whole-suite run with
// jest.config.js's workers); a file in neither (a new one) runs first, as jest's own sequencer does with untimed
// files. Order only: every file runs, unchanged.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import TestSequencer from '@jest/test-sequencer';

const durations = JSON.parse(readFileSync(new URL('./durations.json', import.meta.url), 'utf8'));

export default class LongestFirst extends TestSequencer {
  time(test) {
    const cached = super.time(test);
    if (cached != null) return cached;
    const seconds = durations[relative(test.context.config.rootDir, test.path).split('\\').join('/')];
    return seconds === undefined ? undefined : seconds * 1000;
  }
}
