// Calls of the console's JSON API (docs/console.md): every call carries the session's CSRF token.
let csrf = '';
export function setCsrf(token) {
  csrf = token || '';
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function request(method, path, body) {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) {
    const code = (data && (data.Code || (data.error && data.error.code))) || String(res.status);
    const message = (data && (data.Message || (data.error && data.error.message))) || res.statusText;
    throw new ApiError(res.status, code, message);
  }
  return data;
}

// One OpenAPI action as the signed-in account.
export const action = (name, params = {}) => request('POST', `/console/api/call/${name}`, params);
// One admin API route (operator mode): path "/v1/...".
export const admin = (method, path, body) => request(method, `/console/api${path}`, body);
export const session = {
  get: () => request('GET', '/console/api/session'),
  signIn: (credentials) => request('POST', '/console/api/session', credentials),
  signOut: () => request('DELETE', '/console/api/session'),
};
export const passwordPolicy = (password) => request('POST', '/console/api/password-policy', { password });
