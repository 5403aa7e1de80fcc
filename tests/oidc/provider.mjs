// A real OpenID Connect provider (the npm package oidc-provider) for the single sign-on browser
// test, listening on 127.0.0.1 only. Its built-in development sign-in page accepts any login:
// the login becomes the account, whose email is the login itself when it holds an @, else
// <login>@sso.example.test; the email is reported unverified when the login starts with
// "unverified". Never a deployment's provider: for tests only.
//
// Usage: node provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI
import Provider from 'oidc-provider';

const [port, clientId, clientSecret, redirectUri] = process.argv.slice(2);
if (!port || !clientId || !clientSecret || !redirectUri) {
  console.error('usage: node provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI');
  process.exit(2);
}

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // Streamlit reads the person from the ID token, so the scope's claims go in it.
  conformIdTokenClaims: false,
  cookies: { keys: ['sectormap-test-provider-cookie-key'] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const email = id.includes('@') ? id : `${id}@sso.example.test`;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email, email_verified: !id.startsWith('unverified'), name: id };
      },
    };
  },
});
provider.proxy = false;
provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`oidc-provider listening on http://127.0.0.1:${port}`);
});
