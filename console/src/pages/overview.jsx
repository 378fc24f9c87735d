// 概览: account status, quotas and their use today and this month, today's sends, reputation.
import { action } from '../api.js';
import { useI18n } from '../i18n.js';
import { Loading, useLoad, useSubmit, ErrorNote } from '../ui.jsx';

export function Overview() {
  const { t } = useI18n();
  const state = useLoad(async () => {
    const [summary, user] = await Promise.all([action('DescAccountSummary'), action('GetUser')]);
    return { summary, user };
  });
  const toggle = useSubmit(async () => {
    const on = state.data.user.Data.EnableEventbridge;
    await action('UpdateUser', { User: JSON.stringify({ EnableEventbridge: !on }) });
    state.reload();
  });
  return (
    <Loading state={state}>
      {state.data && (() => {
        const s = state.data.summary;
        const events = state.data.user.Data.EnableEventbridge;
        const dayUsed = s.DailyQuota - s.DailyRemainFreeQuota;
        const monthUsed = s.MonthQuota - s.RemainFreeQuota;
        return (
          <>
            <dl class="cards">
              <div>
                <dt>{t('overview.status')}</dt>
                <dd data-testid="status">{s.UserStatus === 0 ? t('overview.normal') : t('overview.suspended')}</dd>
              </div>
              <div>
                <dt>{t('overview.daily_used')}</dt>
                <dd data-testid="daily-used">
                  {dayUsed} / {s.DailyQuota}
                </dd>
              </div>
              <div>
                <dt>{t('overview.monthly_used')}</dt>
                <dd data-testid="monthly-used">
                  {monthUsed} / {s.MonthQuota}
                </dd>
              </div>
              <div>
                <dt>{t('overview.today_sent')}</dt>
                <dd data-testid="today-sent">{dayUsed}</dd>
              </div>
              <div>
                <dt>{t('overview.reputation')}</dt>
                <dd>{t('overview.reputation_none')}</dd>
              </div>
              <div>
                <dt>{t('overview.events')}</dt>
                <dd>
                  {events ? t('overview.events_on') : t('overview.events_off')}{' '}
                  <button type="button" class="small" disabled={toggle.busy} onClick={toggle.submit}>
                    {t('overview.events_toggle')}
                  </button>
                </dd>
              </div>
            </dl>
            <ErrorNote error={toggle.error} />
            <h2>{t('overview.counts')}</h2>
            <ul class="counts">
              <li>
                {t('nav.domains')}: {s.Domains}
              </li>
              <li>
                {t('nav.addresses')}: {s.MailAddresses}
              </li>
              <li>
                {t('nav.tags')}: {s.Tags}
              </li>
            </ul>
          </>
        );
      })()}
    </Loading>
  );
}
