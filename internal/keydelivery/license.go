package keydelivery

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"net/http"
	"strings"

	"github.com/lockstream/lockstream/internal/drm/playready"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/policy"
)

// serveLicense answers Widevine, PlayReady and FairPlay license requests.
// The policy is evaluated first, so a caller without a valid token or
// entitlement gets 401 or 403; the granted keys, the options that granted
// them and the raw challenge then go to the Server's Licenser (FairPlay
// key server, Widevine and vendor proxies; licensed.go). Without one, or
// for a kind it does not serve, the answer is 501, never a made-up
// license, so players can tell "not allowed" from "not available".
func (rq *request) serveLicense(kind policy.Kind) error {
	rq.kind = kind
	if err := rq.begin(http.MethodPost); err != nil {
		return err
	}
	// The body is the challenge the license route needs; it is read once
	// and put back so that a token in a form body is still found.
	body, err := rq.readBody()
	if err != nil {
		return err
	}
	rq.r.Body = io.NopCloser(bytes.NewReader(body))
	var kids []keys.KID
	if kind == policy.KindPlayReady && !rq.query().Has("kid") {
		// PlayReady license URLs carry no key id: it is in the header the
		// client copies into its challenge.
		if kids, err = challengeKIDs(body); err != nil {
			return &httpError{Status: http.StatusBadRequest, Code: codeBadRequest,
				Public: "The license challenge carries no readable PlayReady header (or give ?kid=).", Reason: "parse challenge", Err: err}
		}
	} else {
		kid, err := rq.queryKID()
		if err != nil {
			return err
		}
		kids = []keys.KID{kid}
	}
	rq.kids = kids
	if err := rq.readToken(); err != nil {
		return err
	}
	if rq.token == "" && kind == policy.KindPlayReady {
		// PlayReady players that cannot set headers send the token in
		// the challenge's CustomData, as AMS accepted.
		rq.token = customDataToken(body)
	}
	pairs, err := rq.entitled(kids, true)
	if err != nil {
		return err
	}
	defer func() {
		for i := range pairs {
			clear(pairs[i].Key[:])
		}
	}()
	return rq.license(pairs, body)
}

func drmName(kind policy.Kind) string {
	switch kind {
	case policy.KindWidevine:
		return "Widevine"
	case policy.KindPlayReady:
		return "PlayReady"
	case policy.KindFairPlay:
		return "FairPlay"
	}
	return kind.String()
}

// challengeKIDs returns the key ids of the WRMHEADER inside a PlayReady
// license challenge (SOAP AcquireLicense), where it sits in the clear in
// the LA element's ContentHeader.
func challengeKIDs(body []byte) ([]keys.KID, error) {
	const open, end = "<WRMHEADER", "</WRMHEADER>"
	i := bytes.Index(body, []byte(open))
	j := bytes.Index(body, []byte(end))
	if i < 0 || j < i {
		return nil, fmt.Errorf("no WRMHEADER element")
	}
	h, err := playready.ParseHeader(string(body[i : j+len(end)]))
	if err != nil {
		return nil, fmt.Errorf("parse WRMHEADER: %w", err)
	}
	kids := make([]keys.KID, 0, len(h.Keys))
	for _, k := range h.Keys {
		kids = append(kids, k.KID)
	}
	if len(kids) == 0 {
		return nil, fmt.Errorf("WRMHEADER names no key id")
	}
	return kids, nil
}

// customDataToken returns the token in the CustomData element of a
// PlayReady challenge ("Bearer=<token>", "Bearer <token>" or the bare
// token), or "".
func customDataToken(body []byte) string {
	const open, end = "<CustomData>", "</CustomData>"
	i := bytes.Index(body, []byte(open))
	if i < 0 {
		return ""
	}
	rest := body[i+len(open):]
	j := bytes.Index(rest, []byte(end))
	if j < 0 || j > 16<<10 {
		return ""
	}
	t := strings.TrimSpace(html.UnescapeString(string(rest[:j])))
	for _, p := range []string{"Bearer=", "Bearer ", "bearer=", "bearer "} {
		if v, ok := strings.CutPrefix(t, p); ok {
			return strings.TrimSpace(v)
		}
	}
	return t
}
