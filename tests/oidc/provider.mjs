// A real OpenID Connect provider for the browser tests: `node provider.mjs ISSUER REDIRECT_URI`.
// Its development login form accepts any user name, so a test signs in as any e-mail; a user
// name "name@x|group1,group2" also carries a `groups` claim. Bound to 127.0.0.1 only.
import Provider from 'oidc-provider';

const [issuer, redirectUri] = process.argv.slice(2);
const port = Number(new URL(issuer).port);
const oidc = new Provider(issuer, {
  clients: [{ client_id: 'scorecard', client_secret: 's3cret', redirect_uris: [redirectUri],
              // Streamlit's st.logout sends its redirect_uri as the post-logout address.
              post_logout_redirect_uris: [new URL(redirectUri).origin + '/', redirectUri] }],
  findAccount: async (ctx, id) => {
    const [email, groups] = id.split('|');
    return {
      accountId: id,
      claims: async () => ({ sub: id, email, email_verified: true, name: email,
                             groups: groups ? groups.split(',') : [] }),
    };
  },
  claims: { email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
  scopes: ['openid', 'email', 'profile', 'groups'],
  conformIdTokenClaims: false, // Streamlit reads claims from the ID token only
});
oidc.listen(port, '127.0.0.1', () => console.log(`oidc provider ready on ${issuer}`));
