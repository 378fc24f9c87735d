// 数据统计: 发送数据 (7 days by default, chart and table), 邮件跟踪 (opens and clicks, human and
// machine), 发送详情 (search the last 30 days), 无效地址 (search, export CSV).
import { useState } from 'preact/hooks';
import { action } from '../api.js';
import { useI18n } from '../i18n.js';
import { BarChart } from '../chart.jsx';
import { ErrorNote, Field, Loading, Table, formatTime, useLoad } from '../ui.jsx';

// yyyy-MM-dd of `days` ago in the account's time zone.
function dayAgo(days) {
  return formatTime(Date.now() / 1000 - days * 86400).slice(0, 10);
}

function Range({ range, setRange }) {
  const { t } = useI18n();
  return (
    <div class="inline">
      <Field id="range-start" label={t('stats.start')}>
        <input id="range-start" type="date" value={range.start} onChange={(e) => setRange({ ...range, start: e.currentTarget.value })} />
      </Field>
      <Field id="range-end" label={t('stats.end')}>
        <input id="range-end" type="date" value={range.end} onChange={(e) => setRange({ ...range, end: e.currentTarget.value })} />
      </Field>
    </div>
  );
}

// Every day from `start` to `end` (yyyy-MM-dd, at most 90), so days without mail show as zeros.
function daysBetween(start, end) {
  const out = [];
  for (let d = new Date(`${start}T00:00:00Z`); d <= new Date(`${end}T00:00:00Z`) && out.length < 90; d.setUTCDate(d.getUTCDate() + 1))
    out.push(d.toISOString().slice(0, 10));
  return out;
}

export function SendStats() {
  const { t } = useI18n();
  const [range, setRange] = useState({ start: dayAgo(6), end: dayAgo(0) });
  const state = useLoad(() => action('SenderStatisticsByTagNameAndBatchID', { StartTime: range.start, EndTime: range.end }), [range.start, range.end]);
  const zero = { requestCount: '0', successCount: '0', faildCount: '0', unavailableCount: '0', succeededPercent: '0%', unavailablePercent: '0%' };
  const rows = state.data
    ? daysBetween(range.start, range.end).map((day) => state.data.data.stat.find((r) => r.CreateTime === day) || { ...zero, CreateTime: day })
    : [];
  const n = (key) => rows.map((r) => Number(r[key]));
  return (
    <>
      <Range range={range} setRange={setRange} />
      <Loading state={state}>
        <BarChart
          title={t('nav.stats_send')}
          labels={rows.map((r) => r.CreateTime)}
          series={[
            { name: t('stats.total'), values: n('requestCount') },
            { name: t('stats.success'), values: n('successCount') },
            { name: t('stats.failed'), values: n('faildCount') },
            { name: t('stats.invalid'), values: n('unavailableCount') },
          ]}
        />
        <Table
          className="stats"
          columns={[t('stats.day'), t('stats.total'), t('stats.success'), t('stats.failed'), t('stats.invalid'), t('stats.success_rate'), t('stats.invalid_rate')]}
          rows={rows}
          row={(r) => (
            <tr key={r.CreateTime} data-day={r.CreateTime}>
              <td>{r.CreateTime}</td>
              <td>{r.requestCount}</td>
              <td>{r.successCount}</td>
              <td>{r.faildCount}</td>
              <td>{r.unavailableCount}</td>
              <td>{r.succeededPercent}</td>
              <td>{r.unavailablePercent}</td>
            </tr>
          )}
        />
      </Loading>
    </>
  );
}

export function TrackStats() {
  const { t } = useI18n();
  const [range, setRange] = useState({ start: dayAgo(6), end: dayAgo(0) });
  const state = useLoad(() => action('GetTrackList', { StartTime: range.start, EndTime: range.end, PageSize: 100 }), [range.start, range.end]);
  const rows = state.data ? state.data.data.stat : [];
  const n = (key) => rows.map((r) => Number(r[key]));
  return (
    <>
      <Range range={range} setRange={setRange} />
      <Loading state={state}>
        <BarChart
          title={t('nav.stats_track')}
          labels={rows.map((r) => r.CreateTime)}
          series={[
            { name: t('stats.sent'), values: n('TotalNumber') },
            { name: t('stats.opens'), values: n('RcptOpenCount') },
            { name: t('stats.clicks'), values: n('RcptClickCount') },
          ]}
        />
        <Table
          className="stats"
          columns={[t('stats.day'), t('stats.sent'), t('stats.opens'), t('stats.open_human'), t('stats.open_machine'), t('stats.unique_opens'), t('stats.clicks'), t('stats.click_human'), t('stats.click_machine'), t('stats.unique_clicks')]}
          rows={rows}
          row={(r) => (
            <tr key={r.CreateTime} data-day={r.CreateTime}>
              <td>{r.CreateTime}</td>
              <td>{r.TotalNumber}</td>
              <td>{r.RcptOpenCount}</td>
              <td>{r.RcptOpenHumanCount}</td>
              <td>{r.RcptOpenMachineCount}</td>
              <td>{r.RcptUniqueOpenCount}</td>
              <td>{r.RcptClickCount}</td>
              <td>{r.RcptClickHumanCount}</td>
              <td>{r.RcptClickMachineCount}</td>
              <td>{r.RcptUniqueClickCount}</td>
            </tr>
          )}
        />
      </Loading>
    </>
  );
}

const RESULTS = [
  ['', 'stats.any'],
  ['0', 'stats.success'],
  ['2', 'stats.invalid'],
  ['3', 'stats.spam'],
  ['4', 'stats.failed'],
];

export function Details() {
  const { t } = useI18n();
  const [q, setQ] = useState({ start: dayAgo(29), end: dayAgo(0), from: '', to: '', tag: '', status: '' });
  const [shown, setShown] = useState(q);
  const [start, setStart] = useState(0);
  const state = useLoad(
    () =>
      action('SenderStatisticsDetailByParam', {
        StartTime: `${shown.start} 00:00`,
        EndTime: `${shown.end} 23:59`,
        AccountName: shown.from,
        ToAddress: shown.to,
        TagName: shown.tag,
        ...(shown.status ? { Status: shown.status } : {}),
        Length: 50,
        NextStart: start,
      }),
    [shown, start],
  );
  const set = (k) => (e) => setQ({ ...q, [k]: e.currentTarget.value });
  const search = (e) => {
    e.preventDefault();
    setStart(0);
    setShown({ ...q });
  };
  const rows = state.data ? state.data.data.mailDetail : [];
  return (
    <>
      <form class="inline" onSubmit={search} aria-label={t('stats.search')}>
        <Field id="d-start" label={t('stats.start')}>
          <input id="d-start" type="date" value={q.start} onChange={set('start')} />
        </Field>
        <Field id="d-end" label={t('stats.end')}>
          <input id="d-end" type="date" value={q.end} onChange={set('end')} />
        </Field>
        <Field id="d-from" label={t('addresses.address')}>
          <input id="d-from" value={q.from} onInput={set('from')} />
        </Field>
        <Field id="d-to" label={t('stats.recipient')}>
          <input id="d-to" value={q.to} onInput={set('to')} />
        </Field>
        <Field id="d-tag" label={t('send.tag')}>
          <input id="d-tag" value={q.tag} onInput={set('tag')} />
        </Field>
        <Field id="d-status" label={t('stats.result')}>
          <select id="d-status" value={q.status} onChange={set('status')}>
            {RESULTS.map(([v, key]) => (
              <option key={v} value={v}>
                {t(key)}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit">{t('stats.search')}</button>
      </form>
      <Loading state={state}>
        <Table
          columns={[t('stats.time'), t('addresses.address'), t('stats.recipient'), t('templates.subject'), t('stats.result'), t('stats.reply')]}
          rows={rows}
          row={(r, i) => (
            <tr key={`${r.UtcLastUpdateTime}-${r.ToAddress}-${i}`} data-rcpt={r.ToAddress}>
              <td>{formatTime(r.UtcLastUpdateTime)}</td>
              <td>{r.AccountName}</td>
              <td>{r.ToAddress}</td>
              <td>{r.Subject}</td>
              <td>{t((RESULTS.find(([v]) => v === String(r.Status)) || RESULTS[0])[1])}</td>
              <td>{r.Message}</td>
            </tr>
          )}
        />
        {state.data && state.data.NextStart && (
          <button type="button" onClick={() => setStart(Number(state.data.NextStart))}>
            {t('stats.more')}
          </button>
        )}
      </Loading>
    </>
  );
}

// RFC 4180 CSV of the rows shown, made in the browser from what the server answered.
function csv(rows) {
  const cell = (v) => `"${String(v).replaceAll('"', '""')}"`;
  return ['ToAddress,LastUpdateTime', ...rows.map((r) => [cell(r.ToAddress), cell(formatTime(r.UtcLastUpdateTime))].join(','))].join('\r\n');
}

export function Invalid() {
  const { t } = useI18n();
  const [keyword, setKeyword] = useState('');
  const state = useLoad(() => action('QueryInvalidAddress', { KeyWord: keyword, Length: 100 }), [keyword]);
  const rows = state.data ? state.data.data.mailDetail : [];
  const download = () => {
    const url = URL.createObjectURL(new Blob([`\ufeff${csv(rows)}`], { type: 'text/csv;charset=utf-8' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'invalid-addresses.csv';
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <>
      <div class="inline">
        <Field id="invalid-search" label={t('stats.search')}>
          <input id="invalid-search" type="search" value={keyword} onInput={(e) => setKeyword(e.currentTarget.value)} />
        </Field>
        <button type="button" onClick={download} disabled={!rows.length}>
          {t('stats.export')}
        </button>
      </div>
      <Loading state={state}>
        <p>{t('stats.total_count', { count: state.data ? state.data.TotalCount : 0 })}</p>
        <Table
          columns={[t('stats.recipient'), t('stats.time')]}
          rows={rows}
          row={(r) => (
            <tr key={r.ToAddress}>
              <td>{r.ToAddress}</td>
              <td>{formatTime(r.UtcLastUpdateTime)}</td>
            </tr>
          )}
        />
      </Loading>
    </>
  );
}

export function Suppression() {
  const { t } = useI18n();
  const state = useLoad(() => action('ListUserSuppression', { PageSize: 100 }));
  const [address, setAddress] = useState('');
  const [error, setError] = useState(null);
  const add = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      await action('CreateUserSuppression', { Address: address.trim() });
      setAddress('');
      state.reload();
    } catch (err) {
      setError(err);
    }
  };
  const remove = async (id) => {
    try {
      await action('RemoveUserSuppression', { SuppressionIds: id });
      state.reload();
    } catch (err) {
      setError(err);
    }
  };
  const rows = state.data ? state.data.Data.UserSuppressions : [];
  return (
    <>
      <form class="inline" onSubmit={add}>
        <Field id="suppress-address" label={t('stats.suppress_address')}>
          <input id="suppress-address" required value={address} onInput={(e) => setAddress(e.currentTarget.value)} />
        </Field>
        <button type="submit">{t('ip.add')}</button>
      </form>
      <ErrorNote error={error} />
      <Loading state={state}>
        <Table
          columns={[t('stats.recipient'), t('stats.source'), t('common.created'), t('common.actions')]}
          rows={rows}
          row={(r) => (
            <tr key={r.SuppressionId}>
              <td>{r.Address}</td>
              <td>{t(`source.${r.Source}`)}</td>
              <td>{formatTime(r.CreateTime)}</td>
              <td>
                <button type="button" class="small danger" onClick={() => remove(r.SuppressionId)}>
                  {t('common.delete')}
                </button>
              </td>
            </tr>
          )}
        />
      </Loading>
    </>
  );
}
