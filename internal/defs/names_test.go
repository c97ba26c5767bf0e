package defs_test

import (
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/defs"
)

func TestValidateName(t *testing.T) {
	tests := []struct {
		kind, name string
		msg        string // "" = valid
	}{
		{defs.KindAccount, "contosotv", ""},
		{"MediaServices", "abc", ""},
		{defs.KindAccount, "ab", "3-24"},
		{defs.KindAccount, "Contoso", "3-24"},
		{defs.KindAccount, "contoso-tv", "3-24"},
		{defs.KindAccount, strings.Repeat("a", 25), "3-24"},

		{defs.KindStreamingEndpoint, "default", ""},
		{defs.KindStreamingEndpoint, "my--endpoint-1", ""},
		{defs.KindStreamingEndpoint, strings.Repeat("a", 24), ""},
		{defs.KindStreamingEndpoint, strings.Repeat("a", 25), "at most 24"},
		{defs.KindStreamingEndpoint, "-endpoint", "letters and digits"},
		{defs.KindStreamingEndpoint, "endpoint-", "letters and digits"},
		{defs.KindStreamingEndpoint, "end_point", "letters and digits"},
		{defs.KindLiveEvent, strings.Repeat("a", 32), ""},
		{defs.KindLiveEvent, strings.Repeat("a", 33), "at most 32"},
		{defs.KindLiveOutput, "output-1", ""},

		{defs.KindAsset, "ClimbingMountRainier", ""},
		{defs.KindAsset, "input-8f3b2e3c-0000-0000-0000-000000000000", ""},
		{defs.KindAsset, "my asset (2019) ü", ""},
		{defs.KindAsset, strings.Repeat("a", 260), ""},
		{defs.KindAsset, strings.Repeat("a", 261), "at most 260"},
		{defs.KindAsset, "", "is required"},
		{defs.KindAsset, "a/b", `'/'`},
		{defs.KindAsset, `a\b`, `'\\'`},
		{defs.KindAsset, "a?b", `'?'`},
		{defs.KindAsset, "a#b", `'#'`},
		{defs.KindAsset, "a%20b", `'%'`},
		{defs.KindAsset, "a\x00b", "control"},
		{defs.KindAsset, "a\tb", "control"},
		{defs.KindAsset, "name.", "end in '.'"},
		{defs.KindAsset, " name", "white space"},
		{defs.KindAsset, "\xff", "UTF-8"},
		{defs.KindContentKeyPolicy, "PolicyWithMultipleOptions", ""},
		{defs.KindStreamingPolicy, "Predefined_ClearKey", ""},
		{defs.KindStreamingLocator, "a/b", `'/'`},
		{defs.KindTransform, "name.", "end in '.'"},
		{defs.KindJob, "job-1", ""},

		{defs.KindAssetFilter, "filter1", ""},
		{defs.KindAccountFilter, "AccountFilter_2.v1", ""},
		{defs.KindAssetFilter, "a;b", "may only contain"},
		{defs.KindAssetFilter, "a b", "may only contain"},
		{defs.KindAssetFilter, "f.", "may only contain"},
		{defs.KindTrack, "text-en", ""},
		{defs.KindTrack, "text,en", "may only contain"},
	}
	for _, tt := range tests {
		t.Run(tt.kind+"/"+tt.name, func(t *testing.T) {
			err := defs.ValidateName(tt.kind, tt.name)
			if tt.msg == "" {
				requireNoError(t, err)
				return
			}
			requireFieldError(t, err, "name", tt.msg)
		})
	}
	if err := defs.ValidateName("widgets", "x"); err == nil {
		t.Fatal("unknown kind accepted")
	}
}
