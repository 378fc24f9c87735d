// Operator mode: the queue (the admin API's /v1/queue): messages with their recipients; one
// message with each recipient's state and every attempt; retry now or delete.
import { useState } from 'preact/hooks';
import { admin } from '../api.js';
import { useI18n } from '../i18n.js';
import { ErrorNote, Loading, Table, formatTime, useLoad, useSubmit } from '../ui.jsx';

function QueueList() {
  const { t } = useI18n();
  const [cursor, setCursor] = useState('');
  // A page of 100 in envid order; the next page starts after the last shown (the API's cursor).
  const state = useLoad(() => admin('GET', `/v1/queue?limit=100${cursor ? `&cursor=${cursor}` : ''}`), [cursor]);
  const messages = state.data ? state.data.messages : [];
  return (
    <Loading state={state}>
      <p>{t('queue.count', { count: state.data ? state.data.total : 0 })}</p>
      <Table
        columns={[t('queue.envid'), t('queue.from'), t('queue.recipients'), t('queue.size'), t('queue.received'), t('common.status')]}
        rows={messages}
        row={(m) => (
          <tr key={m.envid} data-envid={m.envid}>
            <td>
              <a href={`#/queue/${m.envid}`}>{m.envid}</a>
            </td>
            <td>{m.mail_from}</td>
            <td>{m.recipients.map((r) => r.address).join(', ')}</td>
            <td>{m.size}</td>
            <td>{formatTime(m.received_at_ms / 1000)}</td>
            <td>{m.held ? t('queue.held') : t('queue.queued')}</td>
          </tr>
        )}
      />
      {state.data && state.data.next_cursor && (
        <button type="button" class="small" onClick={() => setCursor(state.data.next_cursor)}>
          {t('stats.more')}
        </button>
      )}
      <button
        type="button"
        class="small"
        onClick={() => {
          if (cursor) setCursor('');
          else state.reload();
        }}
      >
        {t('common.refresh')}
      </button>
    </Loading>
  );
}

function QueueMessage({ envid }) {
  const { t } = useI18n();
  const state = useLoad(() => admin('GET', `/v1/queue/${envid}`), [envid]);
  const retry = useSubmit(async () => {
    await admin('POST', `/v1/queue/${envid}/retry`);
    state.reload();
  });
  const hold = useSubmit(async (verb) => {
    await admin('POST', `/v1/queue/${envid}/${verb}`);
    state.reload();
  });
  const remove = useSubmit(async () => {
    if (!confirm(t('common.confirm_delete', { name: envid }))) return;
    await admin('DELETE', `/v1/queue/${envid}`);
    location.hash = '#/queue';
  });
  const m = state.data;
  return (
    <Loading state={state}>
      {m && (
        <>
          <p>
            <a href="#/queue">← {t('common.back')}</a>
          </p>
          <h2>
            {t('queue.envid')} {m.envid}
          </h2>
          <p data-testid="queued">
            {m.queued ? (m.held ? t('queue.held') : t('queue.queued')) : t('queue.done')}
          </p>
          <Table
            columns={[t('queue.recipient'), t('common.status'), t('queue.attempts'), t('queue.next'), t('queue.reply')]}
            rows={m.recipients || []}
            row={(r) => (
              <tr key={r.address} data-rcpt={r.address}>
                <td>{r.address}</td>
                <td>{t(`rcpt.${r.state}`)}</td>
                <td>{r.attempts || 0}</td>
                <td>{r.next_attempt_ms ? formatTime(r.next_attempt_ms / 1000) : ''}</td>
                <td>{r.last_reply}</td>
              </tr>
            )}
          />
          <h3>{t('queue.attempt_log')}</h3>
          <Table
            columns={[t('stats.time'), t('queue.host'), t('queue.reply')]}
            rows={m.attempts || []}
            row={(a, i) => (
              <tr key={i}>
                <td>{formatTime(a.started_ms / 1000)}</td>
                <td>{a.host}</td>
                <td>{a.reply}</td>
              </tr>
            )}
          />
          {m.queued && (
            <p class="actions">
              <button type="button" onClick={retry.submit} disabled={retry.busy}>
                {t('queue.retry')}
              </button>
              <button type="button" onClick={() => hold.submit(null, m.held ? 'release' : 'hold')} disabled={hold.busy}>
                {m.held ? t('queue.release') : t('queue.hold')}
              </button>
              <button type="button" class="danger" onClick={remove.submit} disabled={remove.busy}>
                {t('common.delete')}
              </button>
            </p>
          )}
          <ErrorNote error={retry.error || hold.error || remove.error} />
        </>
      )}
    </Loading>
  );
}

export function Queue({ route }) {
  return route[1] ? <QueueMessage envid={route[1]} /> : <QueueList />;
}

// Operator mode: the server's health (/v1/status).
export function Health() {
  const { t } = useI18n();
  const state = useLoad(() => admin('GET', '/v1/status'));
  const s = state.data;
  return (
    <Loading state={state}>
      {s && (
        <dl class="cards">
          <div>
            <dt>{t('health.version')}</dt>
            <dd>{s.version}</dd>
          </div>
          <div>
            <dt>{t('health.uptime')}</dt>
            <dd>{t('health.uptime_value', { hours: Math.floor(s.uptime_s / 3600), minutes: Math.floor((s.uptime_s % 3600) / 60) })}</dd>
          </div>
          <div>
            <dt>{t('health.queued')}</dt>
            <dd data-testid="queued-messages">{s.queued_messages}</dd>
          </div>
          <div>
            <dt>{t('health.storage')}</dt>
            <dd>{s.storage_low ? t('health.storage_low') : t('health.storage_ok')}</dd>
          </div>
          <div>
            <dt>{t('health.outbox')}</dt>
            <dd>{s.notify_outbox}</dd>
          </div>
          <div>
            <dt>{t('nav.accounts')}</dt>
            <dd>{s.accounts}</dd>
          </div>
        </dl>
      )}
    </Loading>
  );
}
