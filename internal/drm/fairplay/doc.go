// Package fairplay holds the FairPlay Streaming signalling of HLS
// playlists: the skd:// key URI of an EXT-X-KEY tag and its KEYFORMAT
// attributes.
//
//	#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://…",KEYFORMAT="com.apple.streamingkeydelivery",KEYFORMATVERSIONS="1"
//
// FairPlay needs no PSSH box. Apple treats the skd:// URI as opaque and
// hands it to the app (or to Safari's EME), which derives the content ID
// from it and sends an SPC to the key server. Lockstream writes URIs in the
// form AMS used, so apps built for AMS keep working:
//
//	skd://<host>/FairPlay/?kid=<key id, lower-case UUID>
//
// Building CKCs (the license) needs Apple's FPS deployment credentials and
// is out of this package's scope.
package fairplay
