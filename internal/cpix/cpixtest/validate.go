package cpixtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Versions are the CPIX versions with a schema.
var Versions = []string{"2.3", "2.4"}

// cpixDir is internal/cpix, found from this file so tests of any package
// reach the schemas whatever their working directory.
func cpixDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..")
}

// OwnSchema returns the path of Lockstream's committed schema for version
// ("2.3" or "2.4").
func OwnSchema(version string) (string, error) {
	if !known(version) {
		return "", fmt.Errorf("no CPIX schema for version %q", version)
	}
	return filepath.Join(cpixDir(), "schema", "cpix-"+version+".xsd"), nil
}

// OfficialSchema returns the path of the DASH-IF schema for version and
// whether it is present (downloaded by scripts/cpix-xsd).
func OfficialSchema(version string) (string, bool) {
	p := filepath.Join(cpixDir(), "testdata", "xsd", version, "cpix.xsd")
	_, err := os.Stat(p)
	return p, err == nil
}

func known(version string) bool {
	for _, v := range Versions {
		if v == version {
			return true
		}
	}
	return false
}

// Validate fails t unless doc is valid against Lockstream's CPIX schema
// of version and, when it is present, against the official one.
func Validate(t testing.TB, doc []byte, version string) {
	t.Helper()
	xsd, err := OwnSchema(version)
	if err != nil {
		t.Fatal(err)
	}
	if err := lint(t, doc, xsd); err != nil {
		t.Fatalf("CPIX %s (Lockstream schema) validation: %v\ndocument:\n%s", version, err, doc)
	}
	if off, ok := OfficialSchema(version); ok {
		if err := lint(t, doc, off); err != nil {
			t.Fatalf("CPIX %s (official DASH-IF schema) validation: %v\ndocument:\n%s", version, err, doc)
		}
	}
}

// Invalid fails t unless Lockstream's schema of version refuses doc (the
// proof that the schema bites). The official schema is not consulted: the
// own one is stricter in places (see internal/cpix/schema).
func Invalid(t testing.TB, doc []byte, version string) {
	t.Helper()
	xsd, err := OwnSchema(version)
	if err != nil {
		t.Fatal(err)
	}
	if lint(t, doc, xsd) == nil {
		t.Fatalf("document unexpectedly valid against Lockstream's CPIX %s schema:\n%s", version, doc)
	}
}

// Check reports whether doc is valid against the schema file xsd: nil, or
// a *SchemaError carrying xmllint's complaint. It skips t (fails it under
// CI=true) when xmllint is not installed.
func Check(t testing.TB, doc []byte, xsd string) error {
	t.Helper()
	return lint(t, doc, xsd)
}

// SchemaError is xmllint's verdict that a document is invalid.
type SchemaError struct{ Output string }

func (e *SchemaError) Error() string { return e.Output }

func xmllint(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("xmllint")
	if err != nil {
		const msg = "xmllint not installed (apt-get install libxml2-utils)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

// lint runs xmllint --schema xsd on doc. Only an invalid document is an
// error; anything else that goes wrong (no schema file, xmllint cannot
// run) fails t, so a broken setup never passes for "invalid".
func lint(t testing.TB, doc []byte, xsd string) error {
	t.Helper()
	bin := xmllint(t)
	if _, err := os.Stat(xsd); err != nil {
		t.Fatalf("CPIX schema: %v", err)
	}
	f, err := os.CreateTemp(t.TempDir(), "cpix-*.xml")
	if err != nil {
		t.Fatalf("write document: %v", err)
	}
	if _, err := f.Write(doc); err != nil {
		f.Close()
		t.Fatalf("write document: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("write document: %v", err)
	}
	out, err := exec.Command(bin, "--nonet", "--noout", "--schema", xsd, f.Name()).CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &exit) && (exit.ExitCode() == 1 || exit.ExitCode() == 3):
		// xmllint exits 3 for a document the schema refuses and 1 for one
		// that is not well-formed XML; 5 (schema does not compile) and the
		// rest are a broken setup.
		return &SchemaError{strings.TrimSpace(string(out))}
	default:
		t.Fatalf("xmllint --schema %s: %v\n%s", xsd, err, out)
		return nil
	}
}
