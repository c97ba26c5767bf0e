package hls

// iso639_1 maps ISO 639-2 (T and B) codes to the two-letter ISO 639-1
// codes that RFC 5646 prefers for HLS LANGUAGE; other codes pass through.
var iso639_1 = map[string]string{
	"ara": "ar", "bul": "bg", "cat": "ca", "ces": "cs", "cze": "cs", "cym": "cy", "wel": "cy",
	"dan": "da", "deu": "de", "ger": "de", "ell": "el", "gre": "el", "eng": "en", "spa": "es",
	"est": "et", "eus": "eu", "baq": "eu", "fas": "fa", "per": "fa", "fin": "fi", "fra": "fr",
	"fre": "fr", "gle": "ga", "glg": "gl", "heb": "he", "hin": "hi", "hrv": "hr", "hun": "hu",
	"hye": "hy", "arm": "hy", "ind": "id", "isl": "is", "ice": "is", "ita": "it", "jpn": "ja",
	"kat": "ka", "geo": "ka", "kor": "ko", "lit": "lt", "lav": "lv", "mkd": "mk", "mac": "mk",
	"msa": "ms", "may": "ms", "nld": "nl", "dut": "nl", "nor": "no", "nob": "nb", "nno": "nn",
	"pol": "pl", "por": "pt", "ron": "ro", "rum": "ro", "rus": "ru", "slk": "sk", "slo": "sk",
	"slv": "sl", "sqi": "sq", "alb": "sq", "srp": "sr", "swe": "sv", "tam": "ta", "tel": "te",
	"tha": "th", "tur": "tr", "ukr": "uk", "urd": "ur", "vie": "vi", "zho": "zh", "chi": "zh",
}

// language returns the LANGUAGE attribute for an ISO 639-2 code, "" for
// undetermined.
func language(code string) string {
	switch code {
	case "", "und", "mis", "mul", "zxx":
		return ""
	}
	if l, ok := iso639_1[code]; ok {
		return l
	}
	return code
}
