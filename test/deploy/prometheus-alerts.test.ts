// The alert rules: promtool checks them and runs their unit tests; every alert has a unit test that
// makes it fire and a section in the runbook.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { parse } from 'yaml';
import { REPO, runTool } from './run-tool.js';

const RULES = 'deploy/prometheus/alerts.yaml';
const TESTS = 'deploy/prometheus/alerts.test.yaml';

type Rule = {
  alert: string;
  expr: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
};
const rules = (
  parse(readFileSync(join(REPO, RULES), 'utf8')) as { groups: { rules: Rule[] }[] }
).groups.flatMap((g) => g.rules);

test('promtool check rules accepts the rule file', () => {
  const r = runTool('promtool', ['check', 'rules', RULES]);
  expect(r.stdout + r.stderr).toContain(`SUCCESS: ${rules.length} rules found`);
  expect(r.code).toBe(0);
});

test('promtool test rules passes every unit test', () => {
  const r = runTool('promtool', ['test', 'rules', TESTS]);
  expect(r.stdout + r.stderr, r.stdout + r.stderr).toContain('SUCCESS');
  expect(r.code).toBe(0);
});

test('the alerts cover what must page: no success, breaker, source errors, seats, ignored members', () => {
  const names = rules.map((r) => r.alert);
  for (const metric of [
    'gbsync_last_success_timestamp_seconds',
    'gbsync_circuit_breaker_tripped',
    'gbsync_exit_code',
    'gbsync_seats',
    'gbsync_ignored_members',
  ]) {
    expect(
      rules.some((r) => r.expr.includes(metric)),
      metric,
    ).toBe(true);
  }
  expect(new Set(names).size).toBe(names.length);
});

test('every alert has a unit test in which it fires', () => {
  const unit = parse(readFileSync(join(REPO, TESTS), 'utf8')) as {
    tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
  };
  const firing = new Set(
    unit.tests.flatMap((t) =>
      t.alert_rule_test.filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname),
    ),
  );
  for (const rule of rules) expect(firing.has(rule.alert), rule.alert).toBe(true);
});

test('every alert has a severity and a runbook section that exists', () => {
  const runbook = readFileSync(join(REPO, 'docs/RUNBOOK.md'), 'utf8');
  const anchors = new Set(
    [...runbook.matchAll(/^#{2,4} (.+)$/gm)].map((m) =>
      (m[1] as string)
        .toLowerCase()
        .replace(/[^a-z0-9 -]/g, '')
        .replace(/ /g, '-'),
    ),
  );
  for (const rule of rules) {
    expect(['critical', 'warning', 'info'], rule.alert).toContain(rule.labels.severity);
    const anchor = rule.annotations.runbook?.split('#')[1];
    expect(anchor, rule.alert).toBe(rule.alert.toLowerCase());
    expect(anchors.has(anchor as string), `docs/RUNBOOK.md has no section ${rule.alert}`).toBe(true);
  }
});
