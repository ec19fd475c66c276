const form = document.getElementById('login-form');
const error = document.getElementById('login-error');

function nextPath() {
  const next = new URLSearchParams(location.search).get('next') || '/';
  // Only same-origin paths: never follow "//host" or "javascript:" from the URL.
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  const button = document.getElementById('login-button');
  button.disabled = true;
  try {
    const response = await fetch('/auth/login', {
      method: 'POST',
      headers: {'Content-Type': 'application/json'},
      credentials: 'same-origin',
      body: JSON.stringify({username: document.getElementById('username').value, password: document.getElementById('password').value}),
    });
    if (response.ok) {
      location.assign(nextPath());
      return;
    }
    const body = await response.json().catch(() => ({}));
    error.textContent = response.status === 429 ? (body.message || 'Too many attempts; wait a while.') : 'Wrong user name or password.';
    error.hidden = false;
  } catch (e) {
    error.textContent = 'Cannot reach the server.';
    error.hidden = false;
  } finally {
    button.disabled = false;
  }
});
