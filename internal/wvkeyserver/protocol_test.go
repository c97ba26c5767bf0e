package wvkeyserver_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"testing"

	"github.com/lockstream/lockstream/internal/drm/widevine"
	"github.com/lockstream/lockstream/internal/keyexchange"
	"github.com/lockstream/lockstream/internal/keyexchange/kxtest"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/wvkeyserver"
)

func TestMain(m *testing.M) {
	code := m.Run()
	kxtest.Close()
	os.Exit(code)
}

// putSigner creates a signer with random credentials through the
// management API and returns them.
func putSigner(t *testing.T, n *kxtest.Node, name string) keyexchange.Signer {
	t.Helper()
	var s keyexchange.Signer
	_, _ = rand.Read(s.Key[:])
	_, _ = rand.Read(s.IV[:])
	body := `{"aesSigningKey":"` + hex.EncodeToString(s.Key[:]) + `","aesSigningIv":"` + hex.EncodeToString(s.IV[:]) + `"}`
	code, out := n.Do(t, http.MethodPut, "/keyexchange/"+n.MSID+"/widevineSigners/"+name, n.Owner, body, http.Header{"Content-Type": {"application/json"}})
	if code != 200 {
		t.Fatalf("put signer: %d %s", code, out)
	}
	return s
}

func keyURL(n *kxtest.Node) string { return "/keyexchange/" + n.MSID + "/widevine/getcontentkey" }

func post(t *testing.T, n *kxtest.Node, body []byte) (string, []wvkeyserver.Track) {
	t.Helper()
	code, out := n.Do(t, http.MethodPost, keyURL(n), "", string(body), http.Header{"Content-Type": {"application/json"}})
	if code != 200 {
		t.Fatalf("status %d: %s", code, out)
	}
	status, tracks, err := wvkeyserver.DecodeResponse(out)
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return status, tracks
}

// request is a CommonEncryptionRequest in the proto-JSON form Shaka
// Packager writes (field names preserved, bytes as base64, enums by name).
func request(contentID []byte, tracks []string, extra map[string]any) []byte {
	r := map[string]any{"content_id": contentID, "policy": "", "drm_types": []string{"WIDEVINE"}, "protection_scheme": "CENC"}
	var ts []map[string]string
	for _, t := range tracks {
		ts = append(ts, map[string]string{"type": t})
	}
	r["tracks"] = ts
	for k, v := range extra {
		r[k] = v
	}
	b, _ := json.Marshal(r)
	return b
}

func TestProtocol(t *testing.T) {
	n := kxtest.Start(t)
	signer := putSigner(t, n, "packager-1")
	cid := []byte("protocol-content")
	req := request(cid, []string{"SD", "HD", "AUDIO"}, nil)

	status, tracks := post(t, n, wvkeyserver.Envelope("packager-1", signer, req))
	if status != "OK" || len(tracks) != 3 {
		t.Fatalf("status %s, %d tracks", status, len(tracks))
	}
	kids := map[keys.KID]bool{}
	for i, tr := range tracks {
		if tr.Type != []string{"SD", "HD", "AUDIO"}[i] || kids[tr.KID] {
			t.Fatalf("track %d: %s (kid repeated: %v)", i, tr.Type, kids[tr.KID])
		}
		kids[tr.KID] = true
		d, err := widevine.UnmarshalPsshData(tr.PsshData)
		if err != nil || !slices.Equal(d.KeyIDs, []keys.KID{tr.KID}) || !bytes.Equal(d.ContentID, cid) {
			t.Fatalf("pssh data %+v: %v", d, err)
		}
	}
	// Same content, same keys; a zero-padded signature (Google's proxy
	// sample) is accepted too.
	digest := sha1.Sum(req)
	zero := append(digest[:], make([]byte, 12)...)
	body, _ := json.Marshal(map[string]any{"request": req, "signature": wvkeyserver.Sign(signer, zero), "signer": "packager-1"})
	_, again := post(t, n, body)
	for i := range tracks {
		if again[i].KID != tracks[i].KID || again[i].Key != tracks[i].Key {
			t.Fatalf("track %s: second request got another key", tracks[i].Type)
		}
	}

	// Key rotation: one key per track type and crypto period.
	status, rot := post(t, n, wvkeyserver.Envelope("packager-1", signer, request(cid, []string{"SD", "AUDIO"},
		map[string]any{"first_crypto_period_index": 7, "crypto_period_count": 3, "crypto_period_seconds": 10})))
	if status != "OK" || len(rot) != 6 {
		t.Fatalf("rotation: %s, %d tracks", status, len(rot))
	}
	for i, tr := range rot {
		if tr.PeriodIndex == nil || *tr.PeriodIndex != uint32(7+i/2) || kids[tr.KID] {
			t.Fatalf("rotation track %d: period %v, kid reused %v", i, tr.PeriodIndex, kids[tr.KID])
		}
		kids[tr.KID] = true
	}

	// The content's PSSH data instead of its content id (a packager
	// decrypting): the same keys, nothing new minted.
	pd, _ := widevine.PsshData{KeyIDs: []keys.KID{tracks[0].KID}, ContentID: cid}.Marshal()
	status, byPSSH := post(t, n, wvkeyserver.Envelope("packager-1", signer, request(nil, []string{"SD", "HD", "AUDIO"}, map[string]any{"pssh_data": pd})))
	if status != "OK" || len(byPSSH) != 3 || byPSSH[1].KID != tracks[1].KID || byPSSH[1].Key != tracks[1].Key {
		t.Fatalf("pssh_data with content id: %s %d", status, len(byPSSH))
	}
	kidsOnly, _ := widevine.PsshData{KeyIDs: []keys.KID{tracks[2].KID, tracks[0].KID}}.Marshal()
	status, byKID := post(t, n, wvkeyserver.Envelope("packager-1", signer, request(nil, []string{"SD"}, map[string]any{"pssh_data": kidsOnly})))
	if status != "OK" || len(byKID) != 2 || byKID[0].Type != "AUDIO" || byKID[0].Key != tracks[2].Key || byKID[1].Type != "SD" || byKID[1].Key != tracks[0].Key {
		t.Fatalf("pssh_data with key ids: %s %+v", status, byKID)
	}
	unknown, _ := widevine.PsshData{KeyIDs: []keys.KID{{1, 2, 3}}}.Marshal()

	// Refusals.
	other := putSigner(t, n, "packager-2")
	wrongIV := signer
	wrongIV.IV[0] ^= 1
	cases := []struct {
		name, want string
		body       []byte
	}{
		{"unknown signer", "SIGNATURE_FAILED", wvkeyserver.Envelope("nobody", signer, req)},
		{"another signer's key", "SIGNATURE_FAILED", wvkeyserver.Envelope("packager-1", other, req)},
		{"wrong iv", "SIGNATURE_FAILED", wvkeyserver.Envelope("packager-1", wrongIV, req)},
		{"tampered request", "SIGNATURE_FAILED", tamper(wvkeyserver.Envelope("packager-1", signer, req), req, request([]byte("other"), []string{"SD"}, nil))},
		{"no content id", "CONTENT_ID_MISSING", wvkeyserver.Envelope("packager-1", signer, request(nil, []string{"SD"}, nil))},
		{"no tracks", "TRACK_TYPE_MISSING", wvkeyserver.Envelope("packager-1", signer, request(cid, nil, nil))},
		{"unknown track", "TRACK_TYPE_UNKNOWN", wvkeyserver.Envelope("packager-1", signer, request(cid, []string{"8K"}, nil))},
		{"unknown scheme", "MALFORMED_REQUEST", wvkeyserver.Envelope("packager-1", signer, request(cid, []string{"SD"}, map[string]any{"protection_scheme": "ROT13"}))},
		{"period without index", "NO_REQUESTED_CRYPTO_PERIODS", wvkeyserver.Envelope("packager-1", signer, request(cid, []string{"SD"}, map[string]any{"crypto_period_count": 2}))},
		{"too many periods", "MALFORMED_REQUEST", wvkeyserver.Envelope("packager-1", signer, request(cid, []string{"SD"}, map[string]any{"first_crypto_period_index": 0, "crypto_period_count": 100000}))},
		{"request not json", "MALFORMED_REQUEST", wvkeyserver.Envelope("packager-1", signer, []byte("nope"))},
		{"unknown key id", "KEY_ID_MISMATCH", wvkeyserver.Envelope("packager-1", signer, request(nil, []string{"SD"}, map[string]any{"pssh_data": unknown}))},
		{"bad pssh data", "INVALID_WIDEVINE_PSSH", wvkeyserver.Envelope("packager-1", signer, request(nil, []string{"SD"}, map[string]any{"pssh_data": []byte{0xff}}))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, tracks := post(t, n, c.body)
			if status != c.want || len(tracks) != 0 {
				t.Fatalf("status %s with %d tracks, want %s", status, len(tracks), c.want)
			}
		})
	}
	if code, _ := n.Do(t, http.MethodPost, keyURL(n), "", "{", nil); code != 400 {
		t.Fatalf("broken envelope: %d", code)
	}
	if code, _ := n.Do(t, http.MethodPost, "/keyexchange/6b1d0c2e-0000-4000-8000-000000000000/widevine/getcontentkey", "", string(wvkeyserver.Envelope("packager-1", signer, req)), nil); code != 404 {
		t.Fatalf("unknown account: %d", code)
	}

	// Signers are write-only: the listing names them, never their secrets.
	code, out := n.Do(t, http.MethodGet, "/keyexchange/"+n.MSID+"/widevineSigners", n.Owner, "", nil)
	if code != 200 || !bytes.Contains(out, []byte(`"packager-1"`)) || bytes.Contains(out, []byte(hex.EncodeToString(signer.Key[:]))) {
		t.Fatalf("list signers: %d %s", code, out)
	}
	if code, out := n.Do(t, http.MethodPut, "/keyexchange/"+n.MSID+"/widevineSigners/x", n.Owner, `{"aesSigningKey":"00","aesSigningIv":"00"}`, nil); code != 400 {
		t.Fatalf("short signer key: %d %s", code, out)
	}
	if code, _ := n.Do(t, http.MethodPut, "/keyexchange/"+n.MSID+"/widevineSigners/x", n.Principal(t, "Reader"), `{}`, nil); code != 403 {
		t.Fatalf("reader managing signers: %d", code)
	}
}

// tamper swaps the signed request for another one, keeping the signature.
func tamper(env, _, other []byte) []byte {
	var m map[string]any
	_ = json.Unmarshal(env, &m)
	m["request"] = other
	b, _ := json.Marshal(m)
	return b
}
