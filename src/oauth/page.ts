// The sign-in and consent pages (11 §5.3-§5.4): plain HTML with one embedded stylesheet, no script needed.

export const STYLE_PATH = "/oauth/assets/style.css";

export const STYLE_CSS = `*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1a1a1a;background:#f4f4f6}
main{max-width:28rem;margin:2rem auto;padding:1.5rem;background:#fff;border:1px solid #ccc;border-radius:.5rem}
h1{font-size:1.4rem;margin:0 0 1rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input[type=text],input[type=password]{width:100%;padding:.6rem;font:inherit;border:1px solid #555;border-radius:.3rem}
input[readonly]{background:#eee}
button{font:inherit;padding:.6rem 1.2rem;margin:1rem .5rem 0 0;border-radius:.3rem;border:2px solid #0b4f9c;cursor:pointer}
button.primary{background:#0b4f9c;color:#fff}
button.secondary{background:#fff;color:#0b4f9c}
:focus-visible{outline:3px solid #b35c00;outline-offset:2px}
.alert{border:2px solid #a40000;background:#fdecec;color:#5c0000;padding:.6rem;border-radius:.3rem}
.client{font-size:1.25rem;font-weight:700;word-break:break-all}
.small{font-size:.85rem;color:#444;word-break:break-all}
ul.scopes{padding-left:1.2rem}
@media (max-width:360px){main{margin:0;border:0;border-radius:0;padding:1rem}}
`;

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title><link rel="stylesheet" href="${STYLE_PATH}"></head>
<body><main>
${body}
</main></body>
</html>`;
}

export interface PageRequest {
  action: string;
  csrf: string;
  clientLabel: string;
  clientId: string;
}

const hidden = (csrf: string) => `<input type="hidden" name="csrf" value="${esc(csrf)}">`;

export function signInPage(p: PageRequest & { hint?: string; identifier?: string; error?: string }): string {
  const err = p.error ? `<p id="signin-error" class="alert" role="alert">${esc(p.error)}</p>` : "";
  const described = p.error ? ` aria-describedby="signin-error"` : "";
  const value = p.hint ?? p.identifier ?? "";
  return layout("Sign in", `<h1>Sign in</h1>
<p>to continue to <span class="client">${esc(p.clientLabel)}</span></p>
<p class="small">${esc(p.clientId)}</p>
${err}
<form method="post" action="${esc(p.action)}">
${hidden(p.csrf)}
<input type="hidden" name="step" value="signin">
<label for="identifier">Handle, email or DID</label>
<input type="text" id="identifier" name="identifier" autocomplete="username" required value="${esc(value)}"${p.hint ? " readonly" : ""}${described}>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required${described}>
<button type="submit" class="primary">Sign in</button>
</form>`);
}

export const SCOPE_TEXT: Record<string, string> = {
  atproto: "Know who you are: your handle and DID",
  "transition:generic": "Create, change and delete anything in your repository and communities, upload media, and use apps and services on your behalf — not change your password, email, handle or identity",
};

export function consentPage(p: PageRequest & { handle: string; did: string; redirectHost: string; scopes: string[] }): string {
  const items = p.scopes.map((s) => `<li>${esc(SCOPE_TEXT[s] ?? s)}</li>`).join("\n");
  return layout("Allow access", `<h1>Allow access?</h1>
<p><span class="client">${esc(p.clientLabel)}</span></p>
<p class="small">${esc(p.clientId)}</p>
<p>wants to access your account <strong>@${esc(p.handle)}</strong> <span class="small">(${esc(p.did)})</span>. It will be able to:</p>
<ul class="scopes">
${items}
</ul>
<p>You will be sent back to <strong>${esc(p.redirectHost)}</strong>.</p>
<form method="post" action="${esc(p.action)}">
${hidden(p.csrf)}
<button type="submit" name="step" value="allow" class="primary">Allow</button>
<button type="submit" name="step" value="deny" class="secondary">Deny</button>
</form>`);
}

export function errorPage(title: string, message: string): string {
  return layout(title, `<h1>${esc(title)}</h1>
<p class="alert" role="alert">${esc(message)}</p>`);
}
