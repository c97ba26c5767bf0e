package cpixtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// SchemaDir returns the directory holding cpix.xsd for version ("2.3" or
// "2.4").
func SchemaDir(version string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", "xsd", version)
}

// Validate fails t unless doc is valid against the CPIX schema of
// version. Without xmllint or the schemas it skips, except under CI=true,
// where it fails: a silent skip there would hide an unvalidated writer.
func Validate(t testing.TB, doc []byte, version string) {
	t.Helper()
	if err := validate(doc, version); err != nil {
		if _, missing := err.(missingError); missing && os.Getenv("CI") != "true" {
			t.Skip(err.Error())
		}
		t.Fatalf("CPIX %s schema validation: %v\ndocument:\n%s", version, err, doc)
	}
}

// Invalid fails t if doc is valid (used to show the validator bites).
func Invalid(t testing.TB, doc []byte, version string) {
	t.Helper()
	err := validate(doc, version)
	if _, missing := err.(missingError); missing {
		if os.Getenv("CI") != "true" {
			t.Skip(err.Error())
		}
		t.Fatal(err)
	}
	if err == nil {
		t.Fatalf("document unexpectedly valid against CPIX %s:\n%s", version, doc)
	}
}

type missingError string

func (e missingError) Error() string { return string(e) }

func validate(doc []byte, version string) error {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		return missingError("xmllint not installed (apt-get install libxml2-utils)")
	}
	xsd := filepath.Join(SchemaDir(version), "cpix.xsd")
	if _, err := os.Stat(xsd); err != nil {
		return missingError("CPIX schema " + xsd + " absent: run scripts/cpix-xsd")
	}
	f, err := os.CreateTemp("", "cpix-*.xml")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(doc); err != nil {
		f.Close()
		return err
	}
	f.Close()
	out, err := exec.Command(xmllint, "--nonet", "--noout", "--schema", xsd, f.Name()).CombinedOutput()
	if err != nil {
		return &lintError{strings.TrimSpace(string(out))}
	}
	return nil
}

type lintError struct{ out string }

func (e *lintError) Error() string { return e.out }
