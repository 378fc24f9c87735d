// Sign-in: account name and console password, or an access key; the admin token in operator mode.
import { useState } from 'preact/hooks';
import { session } from '../api.js';
import { useI18n } from '../i18n.js';
import { Field } from '../ui.jsx';

export function SignIn({ mode, onSignedIn }) {
  const { t, lang, setLang } = useI18n();
  const [withKey, setWithKey] = useState(false);
  const [values, setValues] = useState({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const set = (name) => (e) => setValues({ ...values, [name]: e.currentTarget.value });
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const body =
        mode === 'operator'
          ? { token: values.token || '' }
          : withKey
            ? { access_key_id: values.key_id || '', access_key_secret: values.key_secret || '' }
            : { account: values.account || '', password: values.password || '' };
      onSignedIn(await session.signIn(body));
    } catch (err) {
      setError(err.status === 429 ? t('signin.throttled') : t('signin.failed'));
    } finally {
      setBusy(false);
    }
  };
  const input = (name, type = 'text', autocomplete = 'off') => (
    <input id={`signin-${name}`} name={name} type={type} required autocomplete={autocomplete} onInput={set(name)} />
  );
  return (
    <main class="signin">
      <button type="button" class="link lang" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}>
        {t('lang.switch')}
      </button>
      <h1>{mode === 'operator' ? t('signin.operator') : t('signin.title')}</h1>
      <form onSubmit={submit}>
        {mode === 'operator' ? (
          <Field id="signin-token" label={t('signin.token')}>
            {input('token', 'password', 'current-password')}
          </Field>
        ) : withKey ? (
          <>
            <Field id="signin-key_id" label={t('signin.key_id')}>
              {input('key_id')}
            </Field>
            <Field id="signin-key_secret" label={t('signin.key_secret')}>
              {input('key_secret', 'password')}
            </Field>
          </>
        ) : (
          <>
            <Field id="signin-account" label={t('signin.account')}>
              {input('account', 'text', 'username')}
            </Field>
            <Field id="signin-password" label={t('signin.password')}>
              {input('password', 'password', 'current-password')}
            </Field>
          </>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {t('signin.submit')}
        </button>
        {mode !== 'operator' && (
          <button type="button" class="link" onClick={() => setWithKey(!withKey)}>
            {withKey ? t('signin.password_mode') : t('signin.key')}
          </button>
        )}
      </form>
    </main>
  );
}
