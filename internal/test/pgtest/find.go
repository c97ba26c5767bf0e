package pgtest

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// binaries are the server programs pgtest runs.
var binaries = []string{"initdb", "postgres"}

// debianGlob is where Debian and Ubuntu install server binaries, one
// directory per major version.
const debianGlob = "/usr/lib/postgresql/*/bin"

// findBinDir returns a directory holding every program in binaries: the
// one PATH leads to, else the newest version matching glob.
func findBinDir(lookPath func(string) (string, error), glob string) (string, error) {
	if p, err := lookPath(binaries[0]); err == nil {
		dir := filepath.Dir(p)
		if hasAll(dir) {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob(glob)
	// Newest major version first: compare the version directory
	// numerically ("9.6" < "15").
	version := func(dir string) float64 {
		v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(dir)), 64)
		return v
	}
	slices.SortFunc(dirs, func(a, b string) int {
		switch va, vb := version(a), version(b); {
		case va > vb:
			return -1
		case va < vb:
			return 1
		}
		return strings.Compare(a, b)
	})
	for _, dir := range dirs {
		if hasAll(dir) {
			return dir, nil
		}
	}
	return "", fmt.Errorf("%w: the server programs %s are not in PATH or %s; install them (Debian/Ubuntu: apt-get install -y postgresql; they need not be on PATH) or set %s to a server where the user may CREATE DATABASE",
		errMissing, strings.Join(binaries, " and "), glob, EnvDSN)
}

func hasAll(dir string) bool {
	for _, b := range binaries {
		if _, err := exec.LookPath(filepath.Join(dir, b)); err != nil {
			return false
		}
	}
	return true
}
