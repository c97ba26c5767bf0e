// Package browser plays streams in headless Chromium for end-to-end tests:
// proof that a real browser decodes frames, after fetching keys with a
// token where the stream is encrypted.
//
//	rep := browser.Play(t, browser.Options{
//		Player: browser.Shaka,
//		URL:    base + "/x.ism/manifest(format=mpd-time-csf,encryption=cenc)",
//		ClearKeyLicenseURL: keyDeliveryURL,
//		Token:  jwt,
//	})
//	if !rep.Pass { t.Fatalf("did not play: %s", rep) }
//
// Play runs play.mjs (beside this file) with Node. The script drives the
// system Chromium (/usr/bin/chromium, or $CHROMIUM) through playwright-core
// with a fresh profile, serves a player page from http://127.0.0.1:<random
// port> (a secure context, so EME works) that loads Shaka Player or hls.js
// from the repository's node_modules, plays, and prints a JSON report.
// Pass means currentTime reached Options.Seconds with decoded video frames
// (currentTime alone moves without keys). See
// shared/reference/browser-testing.md for the method and the numbers.
//
// The player retries each request once by default (Options.MaxRetries), so
// runs that must fail (wrong token, 404) end within seconds of the error;
// count license/key requests with that in mind.
//
// Cross-origin: the page's origin differs from the server under test,
// which must send CORS headers on everything (and answer preflights on
// license/key endpoints). ServeDir serves a directory that way.
//
// Needs node, chromium (apt package chromium) and `npm ci` at the repo
// root (playwright-core, shaka-player, hls.js from package.json). When one
// is missing Play and Require skip the test, or fail it when CI=true.
package browser
