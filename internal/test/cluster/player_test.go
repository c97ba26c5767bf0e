package cluster_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// errViolation marks an answer that must never happen, however the
// cluster fails: a segment in the clear, or a key that does not decrypt
// it.
var errViolation = errors.New("violation")

// player plays one HLS AES-128 stream in a loop: master, media
// playlist, key, one segment (each time the next one), decrypting it
// with the key as a real player does.
type player struct {
	client *http.Client
	master string
	next   int
	// addr is the player's client address as HAProxy would forward it:
	// every process here is on loopback, so each player names its own
	// (the rate limits are per client address).
	addr string
}

func (p *player) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	if p.addr != "" {
		req.Header.Set("X-Forwarded-For", p.addr)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET %s: %d", u, resp.StatusCode)
	}
	return b, nil
}

var (
	keyTag   = regexp.MustCompile(`#EXT-X-KEY:METHOD=AES-128,URI="([^"]+)"(?:,IV=0[xX]([0-9a-fA-F]{32}))?`)
	mediaSeq = regexp.MustCompile(`#EXT-X-MEDIA-SEQUENCE:(\d+)`)
)

func resolve(base, ref string) string {
	b, err := url.Parse(base)
	if err != nil {
		return ref
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	return b.ResolveReference(r).String()
}

func uris(playlist []byte) []string {
	var out []string
	for _, l := range strings.Split(string(playlist), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// round is one player step; it counts the requests it made in n.
func (p *player) round(ctx context.Context, n *int) error {
	*n++
	m, err := p.get(ctx, p.master)
	if err != nil {
		return err
	}
	vs := uris(m)
	if len(vs) == 0 {
		return fmt.Errorf("%w: master playlist without variants", errViolation)
	}
	media := resolve(p.master, vs[0])
	*n++
	pl, err := p.get(ctx, media)
	if err != nil {
		return err
	}
	km := keyTag.FindSubmatch(pl)
	if km == nil {
		return fmt.Errorf("%w: media playlist without an AES-128 key", errViolation)
	}
	segs := uris(pl)
	if len(segs) == 0 {
		return fmt.Errorf("%w: media playlist without segments", errViolation)
	}
	i := p.next % len(segs)
	p.next++
	var iv [16]byte
	if len(km[2]) > 0 {
		if _, err := fmt.Sscanf(string(km[2]), "%x", &iv); err != nil {
			return fmt.Errorf("%w: bad IV", errViolation)
		}
	} else {
		seq := 0
		if sm := mediaSeq.FindSubmatch(pl); sm != nil {
			seq, _ = strconv.Atoi(string(sm[1]))
		}
		binary.BigEndian.PutUint64(iv[8:], uint64(seq+i))
	}
	*n++
	key, err := p.get(ctx, resolve(media, string(km[1])))
	if err != nil {
		return err
	}
	if len(key) != 16 {
		return fmt.Errorf("%w: key of %d bytes", errViolation, len(key))
	}
	*n++
	seg, err := p.get(ctx, resolve(media, segs[i]))
	if err != nil {
		return err
	}
	return checkSegment(seg, key, iv[:])
}

// checkSegment: the body is not MPEG-TS in the clear, and the key and IV
// decrypt it into MPEG-TS with valid padding.
func checkSegment(seg, key, iv []byte) error {
	if len(seg) >= 188 && seg[0] == 0x47 && (len(seg) < 376 || seg[188] == 0x47) {
		return fmt.Errorf("%w: segment served in the clear", errViolation)
	}
	if len(seg) == 0 || len(seg)%aes.BlockSize != 0 {
		return fmt.Errorf("%w: segment of %d bytes is not whole AES blocks", errViolation, len(seg))
	}
	blk, err := aes.NewCipher(key)
	if err != nil {
		return err
	}
	plain := make([]byte, len(seg))
	cipher.NewCBCDecrypter(blk, iv).CryptBlocks(plain, seg)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > aes.BlockSize || !bytes.Equal(plain[len(plain)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return fmt.Errorf("%w: the key does not decrypt the segment (bad padding)", errViolation)
	}
	plain = plain[:len(plain)-pad]
	if len(plain)%188 != 0 || plain[0] != 0x47 {
		return fmt.Errorf("%w: decrypted segment is not MPEG-TS", errViolation)
	}
	return nil
}

// load runs players until stopped and keeps the tallies.
type load struct {
	mu         sync.Mutex
	requests   int
	rounds     int
	failed     int // rounds that failed (any error)
	violations []error
	lastFail   time.Time
	errs       map[string]int // failure messages (URLs cut) and their counts
	streak     int            // successful rounds since the last failure
	cancel     context.CancelFunc
	wg         sync.WaitGroup
}

func startLoad(master string, players int) *load {
	ctx, cancel := context.WithCancel(context.Background())
	l := &load{cancel: cancel, errs: map[string]int{}}
	for i := range players {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			p := &player{client: &http.Client{Timeout: 10 * time.Second}, master: master, addr: fmt.Sprintf("198.51.100.%d", i+1)}
			for ctx.Err() == nil {
				n := 0
				err := p.round(ctx, &n)
				if ctx.Err() != nil {
					return
				}
				l.mu.Lock()
				l.requests += n
				l.rounds++
				switch {
				case errors.Is(err, errViolation):
					l.violations = append(l.violations, err)
					fallthrough
				case err != nil:
					l.errs[errKind(err)]++
					l.failed++
					l.lastFail = time.Now()
					l.streak = 0
				default:
					l.streak++
				}
				l.mu.Unlock()
			}
		}()
	}
	return l
}

func (l *load) stop() { l.cancel(); l.wg.Wait() }

type tally struct {
	requests, rounds, failed, streak int
	violations                       []error
	lastFail                         time.Time
}

func (l *load) snapshot() tally {
	l.mu.Lock()
	defer l.mu.Unlock()
	return tally{requests: l.requests, rounds: l.rounds, failed: l.failed, streak: l.streak, violations: append([]error(nil), l.violations...), lastFail: l.lastFail}
}

// waitRounds waits until at least n more rounds completed (bounded by
// a generous deadline so a wedged cluster fails instead of hanging).
func (l *load) waitFor(cond func(tally) bool, deadline time.Duration) (tally, bool) {
	end := time.Now().Add(deadline)
	for {
		s := l.snapshot()
		if cond(s) {
			return s, true
		}
		if time.Now().After(end) {
			return s, false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// errKind shortens an error to its kind for the report: the status or
// the transport failure, without URLs.
func errKind(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return msg
}

// failures returns the failure kinds seen so far.
func (l *load) failures() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]int{}
	for k, v := range l.errs {
		out[k] = v
	}
	return out
}
