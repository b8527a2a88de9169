import { expect, test } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { ALWAYS_DIRECT, proxySettingsFrom } from '../../src/http/http-proxy.js';

const loopback = ALWAYS_DIRECT.join(',');

const cases: Array<
  [proves: string, env: Record<string, string>, want: ReturnType<typeof proxySettingsFrom>]
> = [
  ['no proxy variable: requests go direct, nothing is installed', { NO_PROXY: 'example.org' }, undefined],
  ['an empty value counts as unset', { HTTPS_PROXY: '', http_proxy: ' ' }, undefined],
  ['NO_PROXY=* turns proxies off', { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: '*' }, undefined],
  [
    'loopback is always added to NO_PROXY',
    { HTTPS_PROXY: 'http://proxy:3128' },
    { httpsProxy: 'http://proxy:3128', noProxy: loopback },
  ],
  [
    'NO_PROXY entries are kept, loopback appended',
    { HTTP_PROXY: 'http://proxy:3128', NO_PROXY: '.wmnet,prometheus-pushgateway' },
    { httpProxy: 'http://proxy:3128', noProxy: `.wmnet,prometheus-pushgateway,${loopback}` },
  ],
  [
    'lowercase names win over uppercase ones',
    { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2', no_proxy: 'a', NO_PROXY: 'b' },
    { httpsProxy: 'http://lower:1', noProxy: `a,${loopback}` },
  ],
];
for (const [proves, env, want] of cases) test(proves, () => expect(proxySettingsFrom(env)).toEqual(want));

test('a value that is not an http(s) URL is a configuration error that does not quote it', () => {
  for (const value of ['proxy:3128 pw', 'socks5://user:pw@proxy:1080', 'user:pw@proxy']) {
    expect(() => proxySettingsFrom({ HTTP_PROXY: value })).toThrow(ConfigError);
    expect(() => proxySettingsFrom({ HTTP_PROXY: value })).not.toThrow(/pw/);
  }
});
