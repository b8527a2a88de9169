import { describe, expect, test } from 'vitest';
import { createProgress } from '../../src/observe/progress.js';

function screen(color: boolean, columns?: number) {
  const written: string[] = [];
  const progress = createProgress(
    { write: (t) => written.push(t), ...(columns ? { columns } : {}) },
    { color },
  );
  return { progress, written };
}

describe('createProgress', () => {
  test('without color: plain text, a shorter line is padded over the longer one, clear leaves blanks', () => {
    const { progress, written } = screen(false);
    progress.update('GrowthBook writes', '10 of 12 done');
    progress.update('GrowthBook writes', '11 of 12');
    progress.clear();
    expect(written).toEqual([
      '\rGrowthBook writes: 10 of 12 done\rGrowthBook writes: 10 of 12 done',
      '\rGrowthBook writes: 11 of 12     \rGrowthBook writes: 11 of 12',
      `\r${' '.repeat('GrowthBook writes: 11 of 12'.length)}\r`,
    ]);
    expect(written.join('')).not.toContain('\u001b');
  });

  test('with color: erase the line, draw it dim', () => {
    const { progress, written } = screen(true);
    progress.update('LDAP', 'people by mail, batch 1 of 3');
    progress.clear();
    progress.clear(); // nothing on screen: nothing written
    expect(written).toEqual([
      '\r\u001b[2K\u001b[2mLDAP: people by mail, batch 1 of 3\u001b[0m',
      '\r\u001b[2K',
    ]);
  });

  test('a wait is added to the current line; a short one is not worth showing', () => {
    const { progress, written } = screen(false);
    progress.waiting(5000, 'pacing'); // no line yet
    progress.update('GrowthBook writes', '1 of 3 done');
    progress.waiting(50, 'pacing');
    progress.waiting(1000, 'pacing');
    expect(written).toHaveLength(2);
    expect(written[1]).toContain('GrowthBook writes: 1 of 3 done · next in 1.0 s (pacing)');
  });

  test('a line longer than the terminal is cut to fit', () => {
    const { progress, written } = screen(false, 30);
    progress.update('LDAP', 'people by group member DN, batch 17 of 20');
    expect(written[0]?.split('\r')[1]).toHaveLength(29);
    expect(written[0]).toContain('…');
  });
});
