// A real OpenID Connect provider for Jangteo's social-login tests: oidc-provider (the certified
// Node implementation) with one confidential client, on 127.0.0.1.
//
// Settings come from the environment: PORT, CLIENT_ID, CLIENT_SECRET and REDIRECT_URIS (comma
// separated). The issuer is http://127.0.0.1:PORT.
//
// There is no login page: the test plays the person at the browser and names who signs in with
// the authorization request's `login_hint` (an e-mail address; one starting with "unverified"
// has `email_verified: false`, and "deny" refuses the request as a person pressing "cancel"
// would). Everything else (the authorization code, PKCE, state, nonce, the signed ID token, the
// JWKS) is the provider's own.
import http from 'node:http';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;

function claimsOf(login) {
  const name = login.split('@')[0];
  return {
    sub: `sub-${login}`,
    email: login,
    email_verified: !login.startsWith('unverified'),
    name,
    nickname: name,
  };
}

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.CLIENT_ID,
      client_secret: process.env.CLIENT_SECRET,
      redirect_uris: process.env.REDIRECT_URIS.split(','),
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'nickname'] },
  scopes: ['openid', 'email', 'profile'],
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  cookies: { keys: ['jangteo-test-oidc-provider'] },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(_ctx, sub) {
    const login = sub.replace(/^sub-/, '');
    return { accountId: sub, claims: async () => claimsOf(login) };
  },
});
provider.proxy = false;

const callback = provider.callback();

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const login = details.params.login_hint;
  if (login === 'deny') {
    const refusal = { error: 'access_denied', error_description: 'the person declined' };
    await provider.interactionFinished(req, res, refusal, { mergeWithLastSubmission: false });
    return;
  }
  if (typeof login !== 'string' || !login.includes('@')) {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end('name who signs in with login_hint=<e-mail address>');
    return;
  }
  const accountId = `sub-${login}`;
  const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  const grantId = await grant.save();
  const result = { login: { accountId }, consent: { grantId } };
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

const server = http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((error) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  } else {
    callback(req, res);
  }
});
server.listen(port, '127.0.0.1', () => console.log(`oidc-provider listening on ${issuer}`));
