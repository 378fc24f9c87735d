// 发信域名: the account's domains; one domain's records to publish, their checks, verify, delete.
import { useState } from 'preact/hooks';
import { action } from '../api.js';
import { useI18n } from '../i18n.js';
import { CopyButton, ErrorNote, Loading, OneFieldForm, Table, formatTime, useLoad, useSubmit } from '../ui.jsx';

function DomainList() {
  const { t } = useI18n();
  const state = useLoad(() => action('QueryDomainByParam', { PageSize: 100 }));
  const [name, setName] = useState('');
  const add = useSubmit(async () => {
    const created = await action('CreateDomain', { DomainName: name.trim() });
    location.hash = `#/domains/${created.DomainId}`;
  });
  const rows = state.data ? state.data.data.domain : [];
  return (
    <>
      <OneFieldForm id="domain-name" label={t('domains.name')} value={name} setValue={setName} action={add}
        button={t('domains.add')} />
      <Loading state={state}>
        <Table
          columns={[t('domains.name'), t('common.status'), t('common.created')]}
          rows={rows}
          row={(d) => (
            <tr key={d.DomainId}>
              <td>
                <a href={`#/domains/${d.DomainId}`}>{d.DomainName}</a>
              </td>
              <td>{d.DomainStatus === '0' ? t('domains.verified') : t('domains.unverified')}</td>
              <td>{formatTime(d.UtcCreateTime)}</td>
            </tr>
          )}
        />
      </Loading>
    </>
  );
}

function DomainDetail({ id }) {
  const { t } = useI18n();
  const state = useLoad(() => action('DescDomain', { DomainId: id }), [id]);
  const check = useSubmit(async () => {
    await action('CheckDomain', { DomainId: id });
    state.reload();
  });
  const remove = useSubmit(async () => {
    if (!confirm(t('common.confirm_delete', { name: state.data.DomainName }))) return;
    await action('DeleteDomain', { DomainId: id });
    location.hash = '#/domains';
  });
  return (
    <Loading state={state}>
      {state.data && (
        <>
          <p>
            <a href="#/domains">← {t('common.back')}</a>
          </p>
          <h2 data-testid="domain-name">{state.data.DomainName}</h2>
          <p data-testid="domain-status">
            {state.data.DomainStatus === '0' ? t('domains.verified') : t('domains.unverified')}
          </p>
          <h3>{t('domains.records')}</h3>
          <div class="scroll">
            <table class="records">
              <thead>
                <tr>
                  <th scope="col">{t('domains.purpose')}</th>
                  <th scope="col">{t('domains.type')}</th>
                  <th scope="col">{t('domains.host')}</th>
                  <th scope="col">{t('domains.value')}</th>
                  <th scope="col">{t('common.status')}</th>
                </tr>
              </thead>
              <tbody>
                {state.data.Records.map((r) => (
                  <tr key={r.Purpose + r.Host + r.Value} data-purpose={r.Purpose}>
                    <td>{t(`purpose.${r.Purpose.split(':')[0]}`)}</td>
                    <td>{r.Type}</td>
                    <td>
                      <code>{r.Host}</code> <CopyButton text={r.Host} label={t('domains.host')} />
                    </td>
                    <td>
                      <code class="value">{r.Value}</code> <CopyButton text={r.Value} label={t('domains.value')} />
                    </td>
                    <td class={`status-${r.Status}`}>
                      {t(`record.${r.Status}`)}
                      {r.Found && r.Status !== 'ok' ? ` (${t('domains.found')}: ${r.Found})` : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p class="actions">
            <button type="button" onClick={check.submit} disabled={check.busy}>
              {check.busy ? t('domains.checking') : t('domains.check')}
            </button>
            <button type="button" class="danger" onClick={remove.submit} disabled={remove.busy}>
              {t('common.delete')}
            </button>
          </p>
          <p class="hint">{t('domains.rule')}</p>
          <ErrorNote error={check.error || remove.error} />
        </>
      )}
    </Loading>
  );
}

export function Domains({ route }) {
  return route[1] ? <DomainDetail id={route[1]} /> : <DomainList />;
}
