// Package keydelivery serves content keys and DRM licenses to players,
// released only when the request satisfies the content key policy the
// locator's key names.
//
// Paths live under Prefix on the API listener, one tree per account
// (identified by its mediaServiceId, as AMS identified it by host name):
//
//	GET|POST {Prefix}/{mediaServiceId}/?kid={kid}           HLS AES-128 key (16 raw bytes)
//	POST     {Prefix}/{mediaServiceId}/ClearKey/            W3C Clear Key license (JWK set)
//	POST     {Prefix}/{mediaServiceId}/PlayReady/           PlayReady license
//	POST     {Prefix}/{mediaServiceId}/Widevine/?kid={kid}  Widevine license
//	POST     {Prefix}/{mediaServiceId}/FairPlay/?kid={kid}  FairPlay CKC
//	GET      {Prefix}/{mediaServiceId}/FairPlay/certificate?kid={kid}  FPS application certificate
//
// The origin writes these URLs into manifests (see URLs); a streaming
// policy's custom acquisition URL templates replace them. License names
// match case-insensitively, with or without the trailing slash.
//
// # A request's way
//
// Server.ServeHTTP answers CORS preflights at once (no store read), then:
// method → account by mediaServiceId → the account's key-delivery IP
// allow-list (keyDelivery.accessControl; the peer address only, forwarding
// headers are not trusted) → key ids (the kid query parameter; the Clear Key
// request body; the WRMHEADER inside a PlayReady challenge unless ?kid= is
// given) → token (policy.TokenFromRequest: Authorization Bearer, token=,
// Bearer=) → for each key id, the account's content keys with that id whose
// type the endpoint serves → their content key policies, evaluated by a
// policy.Evaluator → the answer.
//
// Each endpoint serves the key types its client decrypts: AES-128 envelope
// keys only (a cenc or cbcs key asked for as an AES key is unknown there,
// 404, so a key protecting DRM content never leaves through a restriction
// written for HLS AES-128), Clear Key, Widevine and PlayReady cenc and cbcs
// keys, FairPlay cbcs keys. When one key id serves several locators of the
// account, the key is released if the request satisfies the policy of any of
// them: each locator publishes the same key under its own policy.
//
// A Clear Key license holds exactly the requested keys the caller is
// entitled to. Widevine, PlayReady and FairPlay requests that pass the
// policy go, with the granted keys and options, to the Server's Licenser
// (licensed.go; package license); without a license route those endpoints
// answer 501 once the policy check passes, never a made-up license, so that callers without
// entitlement still get 401 or 403.
//
// # Answers
//
//	200  the key (application/octet-stream) or license (application/json)
//	400  malformed key id or body          404  unknown account or key id
//	401  token missing or invalid          405  wrong method (with Allow)
//	403  valid token, not entitled; or     413  body over MaxBodyBytes
//	     address not in the allow-list     501  no license server yet
//	503  token keys or use counter unavailable (Retry-After)
//
// Refusals are {"error":{"code","message"}} with messages safe to show
// (policy.Error's Public text). A 401 carries a Bearer challenge, with
// error="invalid_token" when a token was sent (RFC 6750 §3.1: none when the
// request had no token). When several key ids of one request are refused,
// the answer names the most specific refusal: 403 before 503 before 401
// before 404. Every answer carries Access-Control-Allow-Origin: * (tokens
// never travel in cookies) and Cache-Control: no-store.
//
// The log gets one line per refusal with the internal reason (which option
// of which policy failed and why), and a debug line per grant; never a key
// or a token. The access log records paths only, never query strings.
//
// # Max uses
//
// Each evaluation that passes counts one use of a max-uses token, through
// the Evaluator's UseCounter (store.UseCounter in production, so that the
// limit holds across nodes); refused evaluations count nothing. A Clear Key
// or PlayReady request naming several key ids is evaluated per key id and so
// spends one use per granted key id.
//
// # Caching
//
// Accounts, content key policies (with their unsealed token keys) and the
// content keys of a key id (still sealed) are reused for CacheTTL (5 s by
// default). Invalidate drops them all; core wires it to the invalidation
// bus, on which every committed management write of a cached kind (locator
// create/delete, which write and remove content keys, account and policy
// writes) is published to every node, so deleting a locator stops its keys
// everywhere within the bus's latency, not the TTL. Only max-uses counting
// reads the store on a cached request.
package keydelivery
