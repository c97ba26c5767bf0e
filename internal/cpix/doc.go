// Package cpix reads and writes DASH-IF CPIX documents (Content Protection
// Information Exchange, versions 2.3 and 2.4): content keys, DRM
// signalling per system, key periods, usage rules and the encrypted
// delivery of content keys to recipients named by X.509 certificates.
//
// The package serves both directions of a key exchange: a key server
// parses a request, fills it and writes the response ([Parse], then
// [Document.Marshal]); a key consumer writes a request and parses the
// provider's response, decrypting its keys with [Document.DecryptKeys].
//
// Input is untrusted. [Parse] refuses documents above [MaxDocumentSize],
// with more elements or attributes than the caps allow, deeper than
// [maxDepth], or carrying any DTD, entity declaration or processing
// instruction other than the XML declaration: CPIX needs none of them,
// and refusing them outright closes the external-entity and
// entity-expansion ("billion laughs") classes without relying on the
// parser's behaviour. Parse only reads; it never fetches anything.
//
// Encrypted delivery follows CPIX §"Content Key encryption": one random
// AES-256 document key and one random HMAC-SHA512 MAC key per document,
// each wrapped with RSA-OAEP (MGF1, SHA-1) to every recipient's
// certificate; each content key is AES-256-CBC encrypted (PKCS#7, random
// IV, IV‖ciphertext in CipherValue) under the document key, with
// ValueMAC = HMAC-SHA512(MAC key, IV‖ciphertext).
//
// Tests validate everything the package writes against Lockstream's own
// XML Schema for CPIX 2.3 and 2.4 in internal/cpix/schema (see
// [github.com/lockstream/lockstream/internal/cpix/cpixtest]); the
// official DASH-IF XSD, which may not be redistributed, is used in
// addition when a developer has downloaded it with scripts/cpix-xsd.
package cpix
