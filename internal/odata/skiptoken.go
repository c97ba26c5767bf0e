package odata

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"strconv"

	"github.com/lockstream/lockstream/internal/store"
)

// MaxSkipTokenLength is the longest $skiptoken DecodeSkipToken accepts.
const MaxSkipTokenLength = 4096

const (
	paramSkipToken   = "$skiptoken"
	skipTokenVersion = 1
	bindingLen       = 8
)

var tokenEncoding = base64.RawURLEncoding.Strict()

// QueryHash digests the parts that define a listing (for example kind,
// scope, canonical filter, order field and direction) into a short string
// for EncodeSkipToken and DecodeSkipToken. Parts are length-prefixed, so
// ("ab", "c") and ("a", "bc") differ.
func QueryHash(parts ...string) string {
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	for _, p := range parts {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(p)))])
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// EncodeSkipToken returns an opaque, URL-safe $skiptoken for resuming a
// listing after c. The token is bound to queryHash: DecodeSkipToken rejects
// it for any other. It is not signed; it only addresses data the client
// may list anyway.
//
// Layout before base64 (URL alphabet, no padding): version byte 1, eight
// bytes of SHA-256 over queryHash, uvarint len(c.Value), c.Value, uvarint
// len(c.NameKey), c.NameKey, c.Scope (the rest).
func EncodeSkipToken(c store.Cursor, queryHash string) string {
	b := make([]byte, 0, 1+bindingLen+2*binary.MaxVarintLen64+len(c.Value)+len(c.NameKey)+len(c.Scope))
	b = append(b, skipTokenVersion)
	b = append(b, binding(queryHash)...)
	b = binary.AppendUvarint(b, uint64(len(c.Value)))
	b = append(b, c.Value...)
	b = binary.AppendUvarint(b, uint64(len(c.NameKey)))
	b = append(b, c.NameKey...)
	b = append(b, c.Scope...)
	return tokenEncoding.EncodeToString(b)
}

// DecodeSkipToken reverses EncodeSkipToken. It returns an *Error when tok
// is malformed, too long, or was issued for a query with another hash, and
// when a cursor field is not store.ValidText.
func DecodeSkipToken(tok, queryHash string) (store.Cursor, error) {
	fail := func(msg string) (store.Cursor, error) {
		return store.Cursor{}, &Error{Param: paramSkipToken, Pos: -1, Msg: msg}
	}
	if tok == "" {
		return fail("empty token")
	}
	if len(tok) > MaxSkipTokenLength {
		return fail("token longer than " + strconv.Itoa(MaxSkipTokenLength) + " bytes")
	}
	b, err := tokenEncoding.DecodeString(tok)
	if err != nil || len(b) < 1+bindingLen+2 || b[0] != skipTokenVersion {
		return fail("malformed token")
	}
	if !bytes.Equal(b[1:1+bindingLen], binding(queryHash)) {
		return fail("token was issued for a different query; restart the listing without $skiptoken")
	}
	rest := b[1+bindingLen:]
	value, ok := field(&rest)
	nameKey, ok2 := field(&rest)
	c := store.Cursor{Value: value, NameKey: nameKey, Scope: string(rest)}
	if !ok || !ok2 || !store.ValidText(c.Value) || !store.ValidText(c.NameKey) || !store.ValidText(c.Scope) {
		return fail("malformed token")
	}
	return c, nil
}

// field consumes a uvarint length and that many bytes from *b. It rejects
// overlong varints, so every accepted token is the canonical encoding of
// its cursor.
func field(b *[]byte) (string, bool) {
	n, k := binary.Uvarint(*b)
	if k <= 0 || k != uvarintLen(n) || n > uint64(len(*b)-k) {
		return "", false
	}
	s := string((*b)[k : k+int(n)])
	*b = (*b)[k+int(n):]
	return s, true
}

func binding(queryHash string) []byte {
	sum := sha256.Sum256([]byte(queryHash))
	return sum[:bindingLen]
}

func uvarintLen(n uint64) int {
	var b [binary.MaxVarintLen64]byte
	return binary.PutUvarint(b[:], n)
}
