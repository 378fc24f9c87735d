// Pieces every page uses: loading a call's result, errors, copy buttons, times in the account's
// time zone, and the hash routes.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { useI18n } from './i18n.js';

// The result of `load` (an async function), again whenever `deps` change or reload() is called.
export function useLoad(load, deps = []) {
  const [state, setState] = useState({ loading: true, data: null, error: null });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load()
      .then((data) => live && setState({ loading: false, data, error: null }))
      .catch((error) => live && setState({ loading: false, data: null, error }));
    return () => {
      live = false;
    };
  }, [...deps, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { ...state, reload };
}

export function ErrorNote({ error }) {
  const { t } = useI18n();
  if (!error) return null;
  const text = error.status === 404 ? t('common.not_found') : t('common.error', { message: error.message });
  return (
    <p class="error" role="alert">
      {text}
    </p>
  );
}

export function Loading({ state, children }) {
  const { t } = useI18n();
  if (state.error) return <ErrorNote error={state.error} />;
  if (state.loading && !state.data) return <p aria-busy="true">{t('common.loading')}</p>;
  return children;
}

export function CopyButton({ text, label }) {
  const { t } = useI18n();
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Without clipboard permission (plain HTTP): select a hidden field and copy that.
      const area = document.createElement('textarea');
      area.value = text;
      document.body.appendChild(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    setDone(true);
    setTimeout(() => setDone(false), 1500);
  };
  return (
    <button type="button" class="small" onClick={copy} aria-label={`${t('common.copy')} ${label || ''}`}>
      {done ? t('common.copied') : t('common.copy')}
    </button>
  );
}

let utcOffsetMinutes = 480;
export function setUtcOffset(minutes) {
  if (Number.isFinite(minutes)) utcOffsetMinutes = minutes;
}

// Unix seconds as "2026-12-03 18:20" in the account's region's time zone.
export function formatTime(seconds) {
  if (!seconds && seconds !== 0) return '';
  const d = new Date((Number(seconds) + utcOffsetMinutes * 60) * 1000);
  return d.toISOString().slice(0, 16).replace('T', ' ');
}
export function zoneName() {
  const h = utcOffsetMinutes / 60;
  return `UTC${h >= 0 ? '+' : ''}${h}`;
}

// "#/domains/5" → ["domains", "5"].
export function currentRoute() {
  return (location.hash.replace(/^#\/?/, '') || 'overview').split('/').map(decodeURIComponent);
}
export function useRoute() {
  const [route, setRoute] = useState(currentRoute());
  useEffect(() => {
    const on = () => setRoute(currentRoute());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

// A form's submit: runs `work`, shows its error, and tells the caller when it is done.
export function useSubmit(work) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const submit = async (event, ...args) => {
    if (event) event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await work(...args);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, submit };
}

export function Field({ id, label, children, hint }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
      {hint}
    </div>
  );
}

// A table of `rows`, one header cell per column label, and a "nothing yet" row when empty.
export function Table({ columns, rows, row, className }) {
  const { t } = useI18n();
  return (
    <table class={className}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th scope="col" key={c}>
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 && (
          <tr>
            <td colSpan={columns.length}>{t('common.none')}</td>
          </tr>
        )}
        {rows.map(row)}
      </tbody>
    </table>
  );
}

// A form of one labelled field and its submit button (add a domain, an IP, an account).
export function OneFieldForm({ id, label, value, setValue, action, button, type = 'text' }) {
  return (
    <>
      <form class="inline" onSubmit={action.submit}>
        <Field id={id} label={label}>
          <input id={id} type={type} required value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        </Field>
        <button type="submit" disabled={action.busy}>
          {button}
        </button>
      </form>
      <ErrorNote error={action.error} />
    </>
  );
}
