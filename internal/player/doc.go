// Package player serves Lockstream's test player page on the API
// listener: the page AMS users had in Azure Media Player's demo site, for
// checking that a locator plays and that its keys reach only entitled
// viewers.
//
//	GET {Prefix}           the page
//	GET {Prefix}/{asset}   its script, style sheet, config.json and the
//	                       embedded Shaka Player (with its licence)
//
// The viewer pastes a streaming URL (or, with a management token, picks
// one of an account's locators), gets a playback token from the security
// token service under /sts or pastes one, and plays with Shaka Player.
// The page reads the manifest to pre-fill the license servers it signals:
// the Clear Key dashif:Laurl (Lockstream's key delivery), Widevine and
// PlayReady license URLs, FairPlay skd:// URIs. The token travels only on
// license and key requests, as "Authorization: Bearer" or, for players
// that cannot set headers, the token= query parameter.
//
// Shaka Player is embedded (static/shaka-player.compiled.js, Apache-2.0,
// copied unchanged from the npm package named in package.json, licence
// header kept, licence text beside it), so the page works offline and the
// binary stays self-contained. To update it, copy
// node_modules/shaka-player/dist/shaka-player.compiled.js over it and
// change ShakaVersion.
//
// The page holds no secret: tokens and passwords exist only in the page's
// memory and in the requests that need them, never in its URL or in
// storage. A strict Content-Security-Policy allows only the page's own
// scripts and styles (no inline code, no eval); connections and media may
// go to any http(s) origin because the streaming origin, key delivery and
// third-party license servers may all live elsewhere.
package player
