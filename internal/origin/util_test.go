package origin_test

import (
	"fmt"
	"os"
	"testing"
)

func osMkdirTemp() (string, error) { return os.MkdirTemp("", "lockstream-origin-test-") }

func readFile(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func strconvItoa(v int) string { return fmt.Sprint(v) }
