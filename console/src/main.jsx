// The console's shell: the session (sign-in, sign-out), the language, the navigation and the page.
import { render } from 'preact';
import { useMemo, useState, useEffect } from 'preact/hooks';
import { session, setCsrf } from './api.js';
import { LangContext, saveLang, savedLang, translator, useI18n } from './i18n.js';
import { setUtcOffset, useRoute } from './ui.jsx';
import { SignIn } from './pages/signin.jsx';
import { accountPages, operatorPages } from './pages/index.jsx';
import './style.css';

function Shell({ me, onSignedOut }) {
  const { t, lang, setLang } = useI18n();
  const route = useRoute();
  const pages = me.operator ? operatorPages : accountPages;
  const page = pages.find((p) => p.path === route[0]) || pages[0];
  const [menu, setMenu] = useState(false);
  const signOut = async () => {
    try {
      await session.signOut();
    } finally {
      setCsrf('');
      onSignedOut();
    }
  };
  useEffect(() => {
    document.title = `${t(page.title)} · ${t('app.title')}`;
    setMenu(false);
  }, [page, lang]);
  return (
    <div class="shell">
      <header class="top">
        <button type="button" class="menu-button" aria-expanded={menu} aria-controls="nav" onClick={() => setMenu(!menu)}>
          ☰
        </button>
        <span class="brand">{t('app.title')}</span>
        <span class="who">{me.operator ? t('signin.operator') : me.account}</span>
        <button type="button" class="link" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}>
          {t('lang.switch')}
        </button>
        <button type="button" class="link" onClick={signOut}>
          {t('signout')}
        </button>
      </header>
      <nav id="nav" class={menu ? 'open' : ''} aria-label={t('app.title')}>
        <ul>
          {pages.map((p) => (
            <li key={p.path}>
              <a href={`#/${p.path}`} aria-current={p === page ? 'page' : undefined}>
                {t(p.title)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main>
        <h1>{t(page.title)}</h1>
        <page.component route={route} me={me} />
      </main>
    </div>
  );
}

function App() {
  const [lang, setLangState] = useState(savedLang());
  const [me, setMe] = useState(undefined); // undefined: asking; null: signed out
  const [mode, setMode] = useState('account');
  const i18n = useMemo(
    () => ({
      lang,
      t: translator(lang),
      setLang: (l) => {
        saveLang(l);
        setLangState(l);
      },
    }),
    [lang],
  );
  useEffect(() => saveLang(lang), []);
  const signedIn = (s) => {
    setCsrf(s.csrf);
    setUtcOffset(s.utc_offset_minutes);
    setMe(s);
  };
  useEffect(() => {
    fetch('/console/api/session', { credentials: 'same-origin' })
      .then(async (res) => {
        const body = await res.json();
        if (res.ok) signedIn(body);
        else {
          setMode(body.mode === 'operator' ? 'operator' : 'account');
          setMe(null);
        }
      })
      .catch(() => setMe(null));
  }, []);
  return (
    <LangContext.Provider value={i18n}>
      {me === undefined ? null : me ? (
        <Shell me={me} onSignedOut={() => setMe(null)} />
      ) : (
        <SignIn mode={mode} onSignedIn={signedIn} />
      )}
    </LangContext.Provider>
  );
}

render(<App />, document.getElementById('app'));
