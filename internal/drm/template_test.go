package drm_test

import (
	"testing"

	"github.com/lockstream/lockstream/internal/drm"
)

func TestExpandTemplate(t *testing.T) {
	kid := mustKID(t, "8BA94ADE-6EB9-449D-B44F-A5BEEFAF43B0")
	tests := []struct {
		name string
		tmpl string
		alt  string
		want string
	}{
		{
			name: "content key id in query",
			tmpl: "https://keys.example.com/clearkey?kid={ContentKeyId}",
			want: "https://keys.example.com/clearkey?kid=8ba94ade-6eb9-449d-b44f-a5beefaf43b0",
		},
		{
			name: "both in path",
			tmpl: "https://lic.example.com/{AlternativeMediaId}/{ContentKeyId}/license",
			alt:  "movie-42",
			want: "https://lic.example.com/movie-42/8ba94ade-6eb9-449d-b44f-a5beefaf43b0/license",
		},
		{
			name: "repeated placeholders",
			tmpl: "https://x/{ContentKeyId}?a={AlternativeMediaId}&k={ContentKeyId}&b={AlternativeMediaId}",
			alt:  "m",
			want: "https://x/8ba94ade-6eb9-449d-b44f-a5beefaf43b0?a=m&k=8ba94ade-6eb9-449d-b44f-a5beefaf43b0&b=m",
		},
		{
			name: "reserved characters escaped",
			tmpl: "https://x/lic?media={AlternativeMediaId}",
			alt:  "a/b?c&d=e#f+g h%",
			want: "https://x/lic?media=a%2Fb%3Fc%26d%3De%23f%2Bg%20h%25",
		},
		{
			name: "unreserved kept",
			tmpl: "https://x/{AlternativeMediaId}",
			alt:  "Az09-._~",
			want: "https://x/Az09-._~",
		},
		{
			name: "non ascii escaped as utf-8",
			tmpl: "https://x/{AlternativeMediaId}",
			alt:  "é",
			want: "https://x/%C3%A9",
		},
		{
			name: "empty alternative media id",
			tmpl: "https://x/{AlternativeMediaId}/k",
			want: "https://x//k",
		},
		{
			name: "skd uri",
			tmpl: "skd://fps.example.com/{ContentKeyId}",
			want: "skd://fps.example.com/8ba94ade-6eb9-449d-b44f-a5beefaf43b0",
		},
		{
			name: "placeholders are case sensitive",
			tmpl: "https://x/{contentkeyid}/{ContentKeyID}",
			want: "https://x/{contentkeyid}/{ContentKeyID}",
		},
		{
			name: "substituted text is not expanded again",
			tmpl: "https://x/{AlternativeMediaId}",
			alt:  "{ContentKeyId}",
			want: "https://x/%7BContentKeyId%7D",
		},
		{
			name: "legacy AssetAlternativeId alias, space and plus escaped",
			tmpl: "https://x/{AssetAlternativeId}?m={AlternativeMediaId}",
			alt:  "a b+c",
			want: "https://x/a%20b%2Bc?m=a%20b%2Bc",
		},
		{
			name: "no placeholders",
			tmpl: "https://x/static",
			want: "https://x/static",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := drm.ExpandTemplate(tt.tmpl, kid, tt.alt); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
