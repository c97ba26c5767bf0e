package core_test

import (
	"testing"

	"github.com/lockstream/lockstream/internal/test/pgtest"
)

// TestMain stops the PostgreSQL server pgtest may have started.
func TestMain(m *testing.M) { pgtest.Main(m) }
