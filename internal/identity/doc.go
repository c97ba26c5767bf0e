// Package identity is Lockstream's built-in identity provider for the
// management API: service principals with client secrets and certificate
// credentials, role assignments, an OAuth 2.0 client-credentials token
// endpoint shaped like Microsoft Entra ID's (so unmodified azidentity
// clients work), rotating token-signing keys, login throttling and an audit
// log. Everything lives in the metadata store, so several nodes can share
// one identity.
//
// # Using it
//
//	svc, err := identity.New(identity.Config{Store: st, Sealer: ring,
//		TenantID: tenant, Audience: "https://management.example.com"})
//	err = svc.EnsureBootstrap(ctx, clientID, secret) // at startup
//	go svc.Run(ctx, time.Minute)                     // key rotation and clean-up
//	mux.Handle("/", svc.Handler())                   // token endpoint, discovery, JWKS
//	jwt, err := auth.NewJWT(auth.JWTConfig{Keys: svc, Directory: svc,
//		Issuers: []string{svc.Issuer("https://sts.example.com")}, Audience: svc.Audience()})
//
// # Credentials
//
// Client secrets are generated (256 random bits behind a tag naming the
// secret), shown once, and stored only as argon2id hashes inside the
// record's sealed part. A token request verifies exactly one hash whether
// or not the client exists (a dummy hash stands in), so timing tells
// nothing. Failures are counted per client id in the store: responses slow
// down from the third failure and the id locks after Lockout.Threshold
// failures; success resets the count. Certificate credentials verify
// RFC 7523 client assertions (RS256/PS256, aud = token endpoint, short exp,
// jti remembered until expiry so an assertion works once).
//
// # Signing keys
//
// Keys are numbered records whose private part is sealed with the store
// key's AAD. One key signs at a time. Its successor is created
// Keys.PrePublish before the signer's Keys.Lifetime ends and appears in the
// JWKS from then on; an old key stays published for Keys.Overlap after it
// stopped signing (at least one token lifetime), then Maintain deletes it.
// Nodes race to create the next key by its number: the store's unique name
// lets exactly one win, and the others read it. Each node caches the key
// set for Keys.CacheTTL; auth.JWT reloads early on an unknown kid. The
// mechanism is package signkeys, shared with package sts; the identity
// supplies its record kind, scope and KeyConfig.
//
// # What is never stored or logged
//
// Secret values, secret hashes (sealed), private keys (sealed) and access
// tokens. Audit events carry client ids, actions, outcomes and reason
// codes only.
package identity
