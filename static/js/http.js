// JSON calls to the CrowdAL API: writes carry Django's CSRF token, failures carry the server's reason.

export class ApiError extends Error {
  name = "ApiError";

  // `status`: the HTTP status; `retryAfter`: seconds the server asks to wait (a 503: the chain is away).
  constructor(message, { status = 0, retryAfter = 0 } = {}) {
    super(message);
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

function refusal(response, data) {
  return new ApiError(data.detail || `The server refused the request (HTTP ${response.status}).`, {
    status: response.status,
    retryAfter: Number(response.headers.get("Retry-After")) || 0,
  });
}

// Read from the cookie on every call: Django rotates the token when a user signs in.
function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export function postJSON(url, body = {}) {
  return post(url, { "Content-Type": "application/json" }, JSON.stringify(body));
}

// Multipart upload (files); the browser sets the boundary in Content-Type itself.
export function postForm(url, formData) {
  return post(url, {}, formData);
}

async function post(url, headers, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { Accept: "application/json", "X-CSRFToken": csrfToken(), ...headers },
    body,
  });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw refusal(response, data);
  return data;
}

export async function getJSON(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw refusal(response, data);
  return data;
}
