// 监控: the seeds' monitor items as per-minute charts (WEB/API and SMTP tabs, 1 hour to 7 days
// of the last 14), and 报警规则: rules on those items that the server evaluates every minute and
// that notify through the account's notification target (docs/monitoring.md).
import { useState } from 'preact/hooks';
import { action } from '../api.js';
import { useI18n } from '../i18n.js';
import { SeriesChart } from '../chart.jsx';
import { ErrorNote, Field, Loading, Table, formatTime, useLoad, useSubmit } from '../ui.jsx';

export const ITEMS = {
  api: ['api_error_length', 'api_error_quota', 'api_error_spam', 'api_error_invalid', 'api_success'],
  smtp: ['smtp_auth_failed', 'smtp_auth_succeeded', 'smtp_error_length', 'smtp_error_quota', 'smtp_error_spam', 'smtp_error_invalid'],
};
const RANGES = [
  ['1h', 1],
  ['6h', 6],
  ['12h', 12],
  ['1d', 24],
  ['7d', 168],
];
const PERIODS = [1, 5, 15, 30, 60];
const STATISTICS = ['Average', 'Maximum', 'Minimum', 'Sum'];
const COMPARISONS = ['>=', '>', '<=', '<', '==', '!='];

function ItemChart({ item, hours }) {
  const { t } = useI18n();
  const state = useLoad(() => {
    const end = Date.now();
    return action('QueryMonitorData', { Item: item, StartTime: end - hours * 3600 * 1000, EndTime: end });
  }, [item, hours]);
  const points = state.data ? state.data.Points.Point : [];
  const total = points.reduce((n, p) => n + p.Sum, 0);
  const name = t(`monitor.item.${item}`);
  return (
    <figure class="monitor-chart" data-item={item}>
      <figcaption>
        {name} <span class="hint">(Count/min)</span>
      </figcaption>
      <Loading state={state}>
        <SeriesChart title={name} unit="Count/min" points={points.map((p) => ({ label: formatTime(p.Time / 1000), value: p.Average }))} />
        <p class="hint" data-testid="total">
          {t('monitor.total', { count: total })}
        </p>
      </Loading>
    </figure>
  );
}

function Charts() {
  const { t } = useI18n();
  const [group, setGroup] = useState('smtp');
  const [hours, setHours] = useState(1);
  return (
    <section aria-labelledby="monitor-charts">
      <h2 id="monitor-charts">{t('monitor.overview')}</h2>
      <div class="inline" role="group" aria-label={t('monitor.group')}>
        {['api', 'smtp'].map((g) => (
          <button key={g} type="button" class={group === g ? '' : 'secondary'} aria-pressed={group === g} onClick={() => setGroup(g)}>
            {t(`monitor.group.${g}`)}
          </button>
        ))}
      </div>
      <div class="inline" role="group" aria-label={t('monitor.range')}>
        {RANGES.map(([key, h]) => (
          <button key={key} type="button" class={`small${hours === h ? '' : ' secondary'}`} aria-pressed={hours === h} onClick={() => setHours(h)}>
            {t(`monitor.range.${key}`)}
          </button>
        ))}
      </div>
      <div class="monitor-grid">
        {ITEMS[group].map((item) => (
          <ItemChart key={item} item={item} hours={hours} />
        ))}
      </div>
    </section>
  );
}

// "5分钟 SMTP 认证失败 QPS 总和 >= 12 连续 1 次则报警"
function describe(t, r) {
  return t('monitor.rule_text', {
    period: r.Period,
    item: t(`monitor.item.${r.Item}`),
    statistic: t(`monitor.stat.${r.Statistics}`),
    comparison: r.ComparisonOperator,
    threshold: r.Threshold,
    times: r.ConsecutiveTimes,
  });
}

function RuleRow({ rule, onChange }) {
  const { t } = useI18n();
  const toggle = useSubmit(async () => {
    await action('ModifyAlarmRule', { RuleId: rule.RuleId, Enabled: rule.Enabled ? 'false' : 'true' });
    onChange();
  });
  const remove = useSubmit(async () => {
    await action('DeleteAlarmRule', { RuleId: rule.RuleId });
    onChange();
  });
  return (
    <tr data-rule={rule.RuleName}>
      <td>{rule.RuleName}</td>
      <td data-testid="state" class={rule.State === 'ALARM' ? 'error' : ''}>
        {t(`monitor.state.${rule.State}`)}
      </td>
      <td>{rule.Enabled ? t('monitor.enabled') : t('monitor.disabled')}</td>
      <td>{describe(t, rule)}</td>
      <td>
        {rule.EffectiveStart}–{rule.EffectiveEnd}
      </td>
      <td>{rule.StateChangedTime ? formatTime(rule.StateChangedTime / 1000) : ''}</td>
      <td>
        <button type="button" class="small" onClick={toggle.submit} disabled={toggle.busy}>
          {rule.Enabled ? t('monitor.disable') : t('monitor.enable')}
        </button>{' '}
        <button type="button" class="small danger" onClick={remove.submit}>
          {t('common.delete')}
        </button>
        <ErrorNote error={toggle.error || remove.error} />
      </td>
    </tr>
  );
}

const NEW_RULE = {
  RuleName: '',
  Item: 'smtp_auth_failed',
  Period: '5',
  Statistics: 'Average',
  ComparisonOperator: '>=',
  Threshold: '',
  ConsecutiveTimes: '1',
  EffectiveStart: '00:00',
  EffectiveEnd: '23:59',
};

function Rules() {
  const { t } = useI18n();
  const state = useLoad(() => action('QueryAlarmRules'));
  const [v, setV] = useState(NEW_RULE);
  const set = (key) => (e) => setV({ ...v, [key]: e.currentTarget.value });
  const create = useSubmit(async () => {
    await action('CreateAlarmRule', v);
    setV(NEW_RULE);
    state.reload();
  });
  const target = state.data && state.data.NotifyTarget;
  return (
    <section aria-labelledby="monitor-rules">
      <h2 id="monitor-rules">{t('monitor.rules')}</h2>
      <Loading state={state}>
        {state.data && (
          <>
            <p data-testid="notify-target">
              {t('monitor.notify_target')}: {target ? (target === 'queue' ? t('notify.queue') : target) : t('monitor.no_target')}
            </p>
            <button type="button" class="small secondary" onClick={state.reload}>
              {t('monitor.refresh')}
            </button>
            <Table
              columns={[t('monitor.rule_name'), t('monitor.state'), t('monitor.enabled'), t('monitor.rule'), t('monitor.effective'), t('monitor.changed'), t('common.actions')]}
              rows={state.data.Rules.Rule}
              row={(r) => <RuleRow key={r.RuleId} rule={r} onChange={state.reload} />}
            />
          </>
        )}
      </Loading>
      <h3>{t('monitor.create')}</h3>
      <form onSubmit={create.submit}>
        <Field id="rule-name" label={t('monitor.rule_name')}>
          <input id="rule-name" required maxLength={64} value={v.RuleName} onInput={set('RuleName')} />
        </Field>
        <Field id="rule-item" label={t('monitor.item')}>
          <select id="rule-item" value={v.Item} onChange={set('Item')}>
            {[...ITEMS.api, ...ITEMS.smtp].map((i) => (
              <option key={i} value={i}>
                {t(`monitor.item.${i}`)}
              </option>
            ))}
          </select>
        </Field>
        <div class="inline">
          <Field id="rule-period" label={t('monitor.period')}>
            <select id="rule-period" value={v.Period} onChange={set('Period')}>
              {PERIODS.map((p) => (
                <option key={p} value={String(p)}>
                  {t('monitor.minutes', { count: p })}
                </option>
              ))}
            </select>
          </Field>
          <Field id="rule-statistic" label={t('monitor.statistic')}>
            <select id="rule-statistic" value={v.Statistics} onChange={set('Statistics')}>
              {STATISTICS.map((s) => (
                <option key={s} value={s}>
                  {t(`monitor.stat.${s}`)}
                </option>
              ))}
            </select>
          </Field>
          <Field id="rule-comparison" label={t('monitor.comparison')}>
            <select id="rule-comparison" value={v.ComparisonOperator} onChange={set('ComparisonOperator')}>
              {COMPARISONS.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </Field>
          <Field id="rule-threshold" label={t('monitor.threshold')}>
            <input id="rule-threshold" type="number" min="0" step="any" required value={v.Threshold} onInput={set('Threshold')} />
          </Field>
          <Field id="rule-times" label={t('monitor.times')}>
            <input id="rule-times" type="number" min="1" max="60" required value={v.ConsecutiveTimes} onInput={set('ConsecutiveTimes')} />
          </Field>
        </div>
        <div class="inline">
          <Field id="rule-start" label={t('monitor.effective_start')}>
            <input id="rule-start" type="time" required value={v.EffectiveStart} onInput={set('EffectiveStart')} />
          </Field>
          <Field id="rule-end" label={t('monitor.effective_end')}>
            <input id="rule-end" type="time" required value={v.EffectiveEnd} onInput={set('EffectiveEnd')} />
          </Field>
        </div>
        <p class="hint">{t('monitor.rule_hint')}</p>
        <button type="submit" disabled={create.busy}>
          {t('monitor.create')}
        </button>
        <ErrorNote error={create.error} />
      </form>
    </section>
  );
}

export function Monitor() {
  return (
    <>
      <Charts />
      <Rules />
    </>
  );
}
