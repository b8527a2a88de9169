import { describe, expect, test } from 'vitest';
import { decodeStrictBase64, decodeStrictUtf8 } from '../../src/sources/decode-strict.js';

const text = (bytes: Uint8Array | null) => (bytes === null ? null : Buffer.from(bytes).toString('utf8'));

describe('decodeStrictBase64', () => {
  const cases: Array<[proves: string, input: string, want: string | null]> = [
    ['padded base64 decodes', 'Z3JvdXBzOg==', 'groups:'],
    ['whitespace and CRLF anywhere are ignored', ' Z3Jv\r\ndXBz\nOg==\n', 'groups:'],
    ['empty input is empty', '', ''],
    ['characters outside the alphabet are refused', 'Z3Jv*XBzOg==', null],
    ['an HTML page is refused', '<html>', null],
    ['missing padding is refused', 'Z3JvdXBzOg', null],
    ['padding in the middle is refused', 'Zg==Zg==', null],
    ['the URL-safe alphabet is refused', 'Pz8_', null],
  ];
  for (const [proves, input, want] of cases)
    test(proves, () => expect(text(decodeStrictBase64(input))).toBe(want));

  test('an 8 MB body (a 6 MB data.yaml) decodes: the check has no recursion to overflow', () => {
    const yaml = 'groups: {}\n'.repeat(550_000);
    const body = Buffer.from(yaml).toString('base64').replace(/.{76}/g, '$&\n');
    expect(text(decodeStrictBase64(body))).toBe(yaml);
    expect(decodeStrictBase64(`${body.slice(0, -8)}*${body.slice(-7)}`)).toBeNull();
  });
});

describe('decodeStrictUtf8', () => {
  test('valid UTF-8 decodes', () => expect(decodeStrictUtf8(Buffer.from('Zoë', 'utf8'))).toBe('Zoë'));
  test('a lone continuation byte is refused', () =>
    expect(decodeStrictUtf8(Uint8Array.of(0x41, 0x80))).toBeNull());
  test('Latin-1 is refused', () => expect(decodeStrictUtf8(Uint8Array.of(0x5a, 0x6f, 0xeb))).toBeNull());
});
